/**
 * Parquet fixtures written by DuckDB, a writer independent of the reader under test (hyparquet),
 * from SQL, so each test says what its file holds: codec, row groups, nulls, dictionaries.
 */
import { DuckDBInstance } from '@duckdb/node-api';

export type Codec = 'uncompressed' | 'snappy' | 'gzip' | 'zstd' | 'brotli' | 'lz4_raw';
export const CODECS: Codec[] = ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4_raw'];

let instance: Promise<DuckDBInstance> | null = null;

async function connection() {
  instance ??= DuckDBInstance.create(':memory:');
  return (await instance).connect();
}

const quoted = (path: string) => `'${path.replaceAll("'", "''")}'`;

/** Writes the rows of `query` to `path` as Parquet. */
export async function writeParquet(
  query: string,
  path: string,
  { codec = 'snappy', rowGroupRows = 122_880 }: { codec?: Codec; rowGroupRows?: number } = {},
): Promise<void> {
  const db = await connection();
  try {
    await db.run(
      `COPY (${query}) TO ${quoted(path)} (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${rowGroupRows})`,
    );
  } finally {
    db.closeSync();
  }
}

/** Writes the rows of `query` to `path` as CSV with a header, as DuckDB formats values. */
export async function writeCsv(query: string, path: string): Promise<void> {
  const db = await connection();
  try {
    await db.run(`COPY (${query}) TO ${quoted(path)} (FORMAT csv, HEADER true)`);
  } finally {
    db.closeSync();
  }
}

/** What DuckDB says of a Parquet file: its row groups, and the encodings of each column. */
export async function parquetLayout(
  path: string,
): Promise<{ rowGroups: number; encodings: Map<string, string>; codecs: Set<string> }> {
  const db = await connection();
  try {
    const reader = await db.runAndReadAll(
      `SELECT row_group_id, path_in_schema, encodings, compression FROM parquet_metadata(${quoted(path)})`,
    );
    const rows = reader.getRowObjects();
    const encodings = new Map<string, string>();
    for (const row of rows) encodings.set(String(row.path_in_schema), String(row.encodings));
    return {
      rowGroups: new Set(rows.map((row) => String(row.row_group_id))).size,
      encodings,
      codecs: new Set(rows.map((row) => String(row.compression))),
    };
  } finally {
    db.closeSync();
  }
}

/** The rows of a query, as DuckDB reads them (an independent check of what churn wrote). */
export async function readWithDuckDb(query: string): Promise<unknown[][]> {
  const db = await connection();
  try {
    return (await db.runAndReadAll(query)).getRows() as unknown[][];
  } finally {
    db.closeSync();
  }
}
