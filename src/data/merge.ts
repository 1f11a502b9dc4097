/**
 * Joins new labelled rows to a base training file: the new file must have exactly the base's
 * columns (in any order); rows are deduplicated on the id column, the new row winning, or on
 * whole rows when there is no id. The merged rows keep the base file's column order.
 */
import { InputError } from '../common/errors.js';
import type { AtomicWriter } from '../common/atomic-file.js';
import { displayPath } from '../common/paths.js';
import { isStandardStream } from '../common/standard-streams.js';
import { STDIN_NAME, type CsvReadOptions } from './csv-reader.js';
import { openTable } from './table-source.js';
import { csvLine } from './csv-writer.js';
import type { Delimiter } from './delimiter.js';
import { listColumns } from './schema.js';

export interface MergeCounts {
  base: number;
  new: number;
  /** Rows that were already there (same id, or same content without an id). */
  duplicates: number;
  /** Of those, rows whose values changed (same id, another row): the new row replaced the old. */
  updated: number;
  merged: number;
}

export interface MergedRows {
  header: string[];
  delimiter: Delimiter;
  records: string[][];
  rows: MergeCounts;
  /** Where each merged record came from: its file and its index among that file's records. */
  origins: RecordOrigin[];
}

export interface RecordOrigin {
  path: string;
  record: number;
}

const READ_ROWS = 8192;

export async function mergeLabelledFiles(
  basePath: string,
  newPath: string,
  id: string | null,
  read: CsvReadOptions = {},
): Promise<MergedRows> {
  const base = await readAll(basePath, { maxFieldSize: read.maxFieldSize });
  if (base.parquet) {
    throw new InputError(
      { file: base.name },
      'is Parquet, but the base file is rewritten with the merged rows as CSV: keep the base as CSV ' +
        '(new rows may come as Parquet)',
    );
  }
  const incoming = await readAll(newPath, read);
  const order = matchColumns(base.header, incoming.header, incoming.name);
  const records = [...base.records];
  const origins: RecordOrigin[] = base.records.map((_, record) => ({ path: basePath, record }));
  const idIndex = id === null ? -1 : base.header.indexOf(id);
  if (id !== null && idIndex < 0) {
    throw new InputError({ file: base.name, line: 1 }, `has no id column "${id}" (--id)`);
  }
  const key = (record: string[]) => (idIndex >= 0 ? record[idIndex].trim() : record.join('\u0000'));
  const position = new Map<string, number>();
  records.forEach((record, index) => position.set(key(record), index));
  let duplicates = 0;
  let updated = 0;
  for (const [index, raw] of incoming.records.entries()) {
    const record = order.map((column) => raw[column]);
    const origin = { path: newPath, record: index };
    const at = position.get(key(record));
    if (at === undefined) {
      position.set(key(record), records.push(record) - 1);
      origins.push(origin);
    } else {
      duplicates++;
      if (idIndex >= 0 && !sameFields(records[at], record)) {
        records[at] = record; // the newer row wins
        origins[at] = origin;
        updated++;
      }
    }
  }
  return {
    header: base.header,
    delimiter: base.delimiter,
    records,
    origins,
    rows: {
      base: base.records.length,
      new: incoming.records.length,
      duplicates,
      updated,
      merged: records.length,
    },
  };
}

/** Whether merging changes nothing: no new row, and no row's values changed. */
export function addsNothing(merged: MergedRows): boolean {
  return merged.rows.merged === merged.rows.base && merged.rows.updated === 0;
}

/** The merged records that were not in the base file: new customers (or rows, without an id). */
export function freshRecords(merged: MergedRows): string[][] {
  return merged.records.slice(merged.rows.base);
}

function sameFields(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((field, i) => field.trim() === b[i].trim());
}

/** Writes merged rows in the base file's format; the caller commits or aborts the writer. */
export async function writeRows(writer: AtomicWriter, merged: MergedRows): Promise<void> {
  await writer.write(csvLine(merged.header, merged.delimiter) + '\n');
  for (let start = 0; start < merged.records.length; start += READ_ROWS) {
    const lines = merged.records
      .slice(start, start + READ_ROWS)
      .map((record) => csvLine(record, merged.delimiter));
    await writer.write(lines.join('\n') + '\n');
  }
}

/**
 * An error met reading the merged rows back, moved to where its record came from: the user's
 * file and line, never the scratch file's. An error about no record in particular names both
 * files.
 */
export async function locateInOrigin(
  error: InputError,
  merged: MergedRows,
  read: CsvReadOptions,
): Promise<InputError> {
  const { record, column } = error.location;
  const origin = record === undefined ? undefined : merged.origins[record];
  if (origin === undefined) {
    const files = [...new Set(merged.origins.map((each) => displayPath(each.path)))];
    return new InputError({ file: files.join(' merged with '), column }, error.problem);
  }
  if (isStandardStream(origin.path)) {
    // Read once, as it came: no line to look up.
    return new InputError({ file: STDIN_NAME, column, record: origin.record }, error.problem);
  }
  const source = await openTable(origin.path, read);
  try {
    const line = await source.lineOf(origin.record);
    return new InputError(
      { file: source.name, line, column, record: origin.record },
      error.problem,
    );
  } finally {
    source.close();
  }
}

async function readAll(path: string, read: CsvReadOptions) {
  const source = await openTable(path, read);
  const records: string[][] = [];
  for await (const batch of source.batches(READ_ROWS))
    for (const record of batch) records.push(record);
  return {
    name: source.name,
    header: source.header,
    delimiter: source.delimiter,
    records,
    parquet: source.kinds !== undefined,
  };
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
