// Preloaded into a churn process (node --import) to kill it, as a power cut would, at the file
// operation matching the DIE_AT regular expression. Operations read as "open PATH",
// "copyFile FROM TO" or "rename FROM TO".
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const pattern = new RegExp(process.env.DIE_AT ?? '^$');
for (const name of ['open', 'rename', 'copyFile']) {
  const original = fs[name];
  fs[name] = async (...args) => {
    const operation = [name, ...args.slice(0, name === 'open' ? 1 : 2).map(String)].join(' ');
    if (pattern.test(operation)) process.kill(process.pid, 'SIGKILL');
    return original(...args);
  };
}
syncBuiltinESMExports();
