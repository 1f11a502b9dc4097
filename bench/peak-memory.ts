/**
 * Preloaded into a churn process (node --import) to report its peak resident memory, worker
 * threads included, to the file named by BENCH_PEAK_FILE when it exits.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_PEAK_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS / 1024));
  });
}
