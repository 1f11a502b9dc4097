/**
 * Writes synthetic bank customers to a CSV, streaming in chunks so a million rows need constant
 * memory, and atomically so a killed run never leaves a half-written file under the real name.
 */
import { Random } from '../common/random.js';
import { openAtomicWriter } from '../data/atomic-file.js';
import {
  BANK_CUSTOMER_COLUMNS,
  churnProbability,
  customerId,
  drawCustomer,
  formatCustomerRow,
} from '../data/synthetic/bank-customers.js';
import type { Logger } from '../logging/logger.js';

export interface GenerateOptions {
  rows: number;
  seed: number;
  out: string;
  drift: number;
  onProgress?: (rowsWritten: number) => void;
}

export interface GenerateResult {
  out: string;
  rows: number;
  seed: number;
  drift: number;
  churnRate: number;
  bytes: number;
  seconds: number;
}

const ROWS_PER_CHUNK = 8192;

export async function generateCustomers(
  options: GenerateOptions,
  log: Logger,
): Promise<GenerateResult> {
  const started = performance.now();
  const rng = new Random(options.seed);
  const writer = await openAtomicWriter(options.out);
  log.info('generating synthetic customers', {
    rows: options.rows,
    seed: options.seed,
    drift: options.drift,
    out: options.out,
  });
  let churned = 0;
  try {
    await writer.write(BANK_CUSTOMER_COLUMNS.join(',') + '\n');
    for (let start = 0; start < options.rows; start += ROWS_PER_CHUNK) {
      const end = Math.min(options.rows, start + ROWS_PER_CHUNK);
      const lines: string[] = [];
      for (let row = start; row < end; row++) {
        const customer = drawCustomer(rng, customerId(options.seed, row), options.drift);
        const left = rng.bernoulli(churnProbability(customer, options.drift));
        if (left) churned++;
        lines.push(formatCustomerRow(customer, left));
      }
      await writer.write(lines.join('\n') + '\n');
      options.onProgress?.(end);
    }
    const bytes = await writer.commit();
    const result: GenerateResult = {
      out: options.out,
      rows: options.rows,
      seed: options.seed,
      drift: options.drift,
      churnRate: options.rows > 0 ? churned / options.rows : 0,
      bytes,
      seconds: (performance.now() - started) / 1000,
    };
    log.info('wrote synthetic customers', {
      ...result,
      churnRate: Number(result.churnRate.toFixed(4)),
    });
    return result;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
