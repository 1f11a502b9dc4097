/**
 * Opens the table a command reads: a CSV or a Parquet file, told apart by their first bytes (a
 * Parquet file starts with `PAR1`, whatever its name), or `-` for CSV on standard input. Both give
 * the same header and text records, so each reader is written once.
 */
import { open } from 'node:fs/promises';
import { displayPath } from '../common/paths.js';
import { isStandardStream } from '../common/standard-streams.js';
import { openCsv, type CsvReadOptions, type CsvSource } from './csv-reader.js';
import { isParquet } from './parquet-magic.js';

export async function openTable(path: string, options: CsvReadOptions = {}): Promise<CsvSource> {
  if (!isStandardStream(path) && (await startsLikeParquet(path))) {
    const { openParquet } = await import('./parquet-reader.js');
    return openParquet(path, displayPath(path), { shard: options.shard });
  }
  return openCsv(path, options);
}

async function startsLikeParquet(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => null);
  if (handle === null) return false; // the CSV reader names the problem
  try {
    const start = Buffer.alloc(4);
    const { bytesRead } = await handle.read(start, 0, 4, 0);
    return isParquet(start.subarray(0, bytesRead));
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}
