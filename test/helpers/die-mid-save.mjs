// Preloaded into a churn process (node --import) to kill it, as a power cut would, halfway
// through saving a model version: after the model file is written, before the metrics file.
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const open = fs.open;
fs.open = async (path, ...rest) => {
  if (String(path).includes('.tmp/metrics.csv')) process.kill(process.pid, 'SIGKILL');
  return open(path, ...rest);
};
syncBuiltinESMExports();
