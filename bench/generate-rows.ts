/** The generator's streaming, measured in its own process: seconds and peak memory for N rows. */
import { join } from 'node:path';
import { generateCustomers } from '../src/jobs/generate.js';
import { silentLogger } from '../support/silent-logger.js';
import { BENCH_DIR } from './datasets.js';

const rows = Number(process.argv[2]);
const result = await generateCustomers(
  { rows, seed: 3, drift: 0, out: join(BENCH_DIR, `generated-${rows}.csv`) },
  silentLogger,
);
process.stdout.write(
  JSON.stringify({ rows, seconds: result.seconds, peakMb: process.resourceUsage().maxRSS / 1024 }),
);
