#!/usr/bin/env node
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist'))
    throw error;
  process.stderr.write(
    'error: churn is not built yet: run `npm run build` (npm install does it)\n',
  );
  process.exit(1);
}
process.exitCode = await main(process.argv);
