/**
 * Sharded scoring's outputs: where shard K of N writes, and `churn predict --merge-shards`, which
 * joins the N outputs in shard order into the file scoring the whole input would have written,
 * byte for byte (one header, then each shard's rows).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { openAtomicWriter } from '../common/atomic-file.js';
import { InputError, UsageError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { shardLabel, type Shard } from '../data/shard.js';
import type { Logger } from '../logging/logger.js';

/** Stands in an `--out` name for the shard's label; without it the label goes before the extension. */
export const SHARD_PLACEHOLDER = '{shard}';

/** `scored.csv` → `scored.shard-1-of-4.csv`; `scored-{shard}.csv` → `scored-1-of-4.csv`. */
export function shardOutputPath(out: string, shard: Shard | undefined): string {
  if (shard === undefined) return out;
  const label = shardLabel(shard);
  const name = basename(out);
  if (name.includes(SHARD_PLACEHOLDER)) {
    return join(dirname(out), name.replaceAll(SHARD_PLACEHOLDER, label));
  }
  const extension = extname(name);
  return join(
    dirname(out),
    `${name.slice(0, name.length - extension.length)}.shard-${label}${extension}`,
  );
}

export interface MergeShardsResult {
  out: string;
  shards: number;
  /** Data rows written, all shards together. */
  rows: number;
  bytes: number;
}

/**
 * Joins the outputs of shards 0 to count - 1 of `out` into `out`. Every shard's output must be
 * there with the same header, or nothing is written.
 */
export async function mergeShardOutputs(
  out: string,
  count: number,
  log: Logger,
): Promise<MergeShardsResult> {
  if (out.endsWith('.parquet')) {
    throw new UsageError('--merge-shards joins CSV outputs; Parquet shards are read as they are');
  }
  const parts = Array.from({ length: count }, (_, index) => shardOutputPath(out, { index, count }));
  const missing: string[] = [];
  for (const part of parts) {
    const info = await stat(part).catch(() => null);
    if (!info?.isFile()) missing.push(displayPath(part));
  }
  if (missing.length > 0) {
    throw new UsageError(
      `--merge-shards: ${missing.length} of ${count} shard outputs are missing (${missing.join(', ')}): ` +
        'has every shard finished? Nothing was written',
    );
  }
  const headers = await Promise.all(parts.map(headerOf));
  headers.forEach((header, index) => {
    if (header.text !== headers[0].text) {
      throw new InputError(
        { file: displayPath(parts[index]), line: 1 },
        `has another header than ${displayPath(parts[0])}: outputs of different runs? Nothing was written`,
      );
    }
  });

  const writer = await openAtomicWriter(out);
  let rows = 0;
  try {
    await writer.write(headers[0].text);
    for (const [index, part] of parts.entries()) {
      let last = 0x0a;
      const records = new RecordCounter();
      for await (const chunk of createReadStream(part, { start: headers[index].bytes })) {
        const bytes = chunk as Buffer;
        records.add(bytes);
        last = bytes[bytes.length - 1];
        await writer.write(bytes);
      }
      if (last !== 0x0a) {
        throw new InputError(
          { file: displayPath(part) },
          'does not end with a line break: cut short?',
        );
      }
      rows += records.count;
    }
    const bytes = await writer.commit();
    log.info('merged shard outputs', { out, shards: count, rows });
    return { out: displayPath(out), shards: count, rows, bytes };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** An output's header line (up to the first line break outside quotes), and its length in bytes. */
async function headerOf(path: string): Promise<{ text: string; bytes: number }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    let quoted = false;
    for (let at = 0; at < bytesRead; at++) {
      if (buffer[at] === 0x22) quoted = !quoted;
      else if (buffer[at] === 0x0a && !quoted) {
        return { text: buffer.toString('utf8', 0, at + 1), bytes: at + 1 };
      }
    }
    throw new InputError(
      { file: displayPath(path) },
      'has no header line: not an output of churn predict',
    );
  } finally {
    await handle.close();
  }
}

/** Line breaks outside quoted fields: the records of a CSV read in chunks. */
class RecordCounter {
  count = 0;
  private quoted = false;

  add(bytes: Buffer): void {
    for (let at = 0; at < bytes.length; at++) {
      const byte = bytes[at];
      if (byte === 0x22) this.quoted = !this.quoted;
      else if (byte === 0x0a && !this.quoted) this.count++;
    }
  }
}
