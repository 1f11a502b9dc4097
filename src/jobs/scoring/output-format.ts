/**
 * How `churn predict` writes its rows: CSV, or Parquet when `--out` ends in `.parquet`. Both take
 * the column groups' rows as CSV lines (output-columns.ts), so every group, present or to come,
 * is written by both; Parquet reads the lines back into typed columns: the probability a double,
 * the prediction an integer, every other column text (missing as null).
 */
import { parse } from 'csv-parse/sync';
import type { AtomicWriter } from '../../common/atomic-file.js';
import type { ParquetColumnType } from '../../data/parquet-writer.js';
import { headerLine, type OutputColumns } from './output-columns.js';

export interface OutputFormat {
  /** A batch's rows, as CSV lines each ending in a line break. */
  write(lines: string): Promise<void>;
  /** Everything written: then the writer may commit. */
  finish(): Promise<void>;
}

const TYPES: Record<string, ParquetColumnType> = {
  churn_probability: 'DOUBLE',
  churn_predicted: 'INT32',
};

export function isParquetOutput(out: string): boolean {
  return out.toLowerCase().endsWith('.parquet');
}

export async function openOutputFormat(
  out: string,
  writer: AtomicWriter,
  groups: readonly OutputColumns[],
): Promise<OutputFormat> {
  if (!isParquetOutput(out)) {
    await writer.write(headerLine(groups));
    return { write: (lines) => writer.write(lines), finish: async () => undefined };
  }
  const names = groups.flatMap((group) => group.names);
  const columns = names.map((name) => ({ name, type: TYPES[name] ?? 'STRING' }));
  // Loaded when asked for: a CSV run never needs the Parquet libraries.
  const { ParquetTableWriter } = await import('../../data/parquet-writer.js');
  const table = new ParquetTableWriter(writer, columns);
  return {
    async write(lines) {
      const rows = parse(lines) as string[][];
      await table.writeGroup(
        columns.map(({ type }, c) =>
          type === 'STRING'
            ? rows.map((row) => (row[c] === '' ? null : row[c]))
            : type === 'INT32'
              ? Int32Array.from(rows, (row) => Number(row[c]))
              : Float64Array.from(rows, (row) => Number(row[c])),
        ),
      );
    },
    finish: () => table.finish(),
  };
}
