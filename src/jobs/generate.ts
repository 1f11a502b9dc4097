/**
 * Writes synthetic bank customers to a CSV, streaming in chunks so a million rows need constant
 * memory, and atomically so a killed run never leaves a half-written file under the real name.
 */
import { secondsSince } from '../common/elapsed.js';
import { openOutput } from '../common/standard-streams.js';
import {
  BANK_CUSTOMER_COLUMNS,
  bankCustomers,
  formatCustomerRow,
} from '../data/synthetic/bank-customers.js';
import type { Logger } from '../logging/logger.js';

export interface GenerateOptions {
  rows: number;
  seed: number;
  out: string;
  drift: number;
  /** How far why customers leave departs from the ground truth, 0 (the default) to 1. */
  conceptDrift?: number;
  /** What `--out -` writes. */
  stdout?: NodeJS.WritableStream;
  onProgress?: (rowsWritten: number) => void;
}

export interface GenerateResult {
  out: string;
  rows: number;
  seed: number;
  drift: number;
  conceptDrift: number;
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
  const writer = await openOutput(options.out, options.stdout);
  log.info('generating synthetic customers', {
    rows: options.rows,
    seed: options.seed,
    drift: options.drift,
    conceptDrift: options.conceptDrift ?? 0,
    out: options.out,
  });
  let churned = 0;
  let done = 0;
  let lines: string[] = [];
  try {
    await writer.write(BANK_CUSTOMER_COLUMNS.join(',') + '\n');
    for (const { customer, churned: left } of bankCustomers(
      options.seed,
      options.rows,
      options.drift,
      options.conceptDrift ?? 0,
    )) {
      if (left) churned++;
      lines.push(formatCustomerRow(customer, left));
      done++;
      if (lines.length === ROWS_PER_CHUNK || done === options.rows) {
        await writer.write(lines.join('\n') + '\n');
        lines = [];
        options.onProgress?.(done);
      }
    }
    const bytes = await writer.commit();
    const result: GenerateResult = {
      out: options.out,
      rows: options.rows,
      seed: options.seed,
      drift: options.drift,
      conceptDrift: options.conceptDrift ?? 0,
      churnRate: options.rows > 0 ? churned / options.rows : 0,
      bytes,
      seconds: secondsSince(started),
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
