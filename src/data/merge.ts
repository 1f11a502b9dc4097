/**
 * Joins new labelled rows to a base training file: the new file must have exactly the base's
 * columns (in any order); rows are deduplicated on the id column, the new row winning, or on
 * whole rows when there is no id. The merged rows keep the base file's column order.
 */
import { InputError } from '../common/errors.js';
import { openAtomicWriter } from '../common/atomic-file.js';
import { openCsv, type CsvReadOptions } from './csv-reader.js';
import { csvLine } from './csv-writer.js';
import type { Delimiter } from './delimiter.js';
import { listColumns } from './schema.js';

export interface MergeCounts {
  base: number;
  new: number;
  /** Rows that were already there (same id, or same content without an id). */
  duplicates: number;
  merged: number;
}

export interface MergedRows {
  header: string[];
  delimiter: Delimiter;
  records: string[][];
  rows: MergeCounts;
}

const READ_ROWS = 8192;

export async function mergeLabelledFiles(
  basePath: string,
  newPath: string,
  id: string | null,
  read: CsvReadOptions = {},
): Promise<MergedRows> {
  const base = await readAll(basePath, { maxFieldSize: read.maxFieldSize });
  const incoming = await readAll(newPath, read);
  const order = matchColumns(base.header, incoming.header, incoming.name);
  const records = [...base.records];
  const idIndex = id === null ? -1 : base.header.indexOf(id);
  if (id !== null && idIndex < 0) {
    throw new InputError({ file: base.name, line: 1 }, `has no id column "${id}" (--id)`);
  }
  const key = (record: string[]) => (idIndex >= 0 ? record[idIndex].trim() : record.join('\u0000'));
  const position = new Map<string, number>();
  records.forEach((record, index) => position.set(key(record), index));
  let duplicates = 0;
  for (const raw of incoming.records) {
    const record = order.map((index) => raw[index]);
    const at = position.get(key(record));
    if (at === undefined) {
      position.set(key(record), records.push(record) - 1);
    } else {
      duplicates++;
      if (idIndex >= 0) records[at] = record; // the newer row wins
    }
  }
  return {
    header: base.header,
    delimiter: base.delimiter,
    records,
    rows: {
      base: base.records.length,
      new: incoming.records.length,
      duplicates,
      merged: records.length,
    },
  };
}

/** Writes merged rows in the base file's format, replacing the target atomically. */
export async function writeRows(path: string, merged: MergedRows): Promise<void> {
  const writer = await openAtomicWriter(path);
  try {
    await writer.write(csvLine(merged.header, merged.delimiter) + '\n');
    for (let start = 0; start < merged.records.length; start += READ_ROWS) {
      const lines = merged.records
        .slice(start, start + READ_ROWS)
        .map((record) => csvLine(record, merged.delimiter));
      await writer.write(lines.join('\n') + '\n');
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

async function readAll(path: string, read: CsvReadOptions) {
  const source = await openCsv(path, read);
  const records: string[][] = [];
  for await (const batch of source.batches(READ_ROWS))
    for (const record of batch) records.push(record);
  return { name: source.name, header: source.header, delimiter: source.delimiter, records };
}

/** For each base column, its index in the new file; the two must name the same columns. */
function matchColumns(base: string[], incoming: string[], name: string): number[] {
  const missing = base.filter((column) => !incoming.includes(column));
  const extra = incoming.filter((column) => !base.includes(column));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `lacks the base file's column(s) ${listColumns(missing)}` : '',
      extra.length > 0 ? `has column(s) the base file lacks: ${listColumns(extra)}` : '',
    ].filter(Boolean);
    throw new InputError({ file: name, line: 1 }, `${parts.join('; ')}: nothing was changed`);
  }
  return base.map((column) => incoming.indexOf(column));
}
