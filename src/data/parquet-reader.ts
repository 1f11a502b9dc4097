/**
 * Reads a Parquet file as the CSV reader reads a CSV: a header and batches of text records, so
 * every command that reads CSV reads Parquet too, one row group at a time (memory follows the
 * row group, not the file). hyparquet decodes it, in pure JavaScript; the codecs other than
 * snappy (which hyparquet has built in) come from hyparquet-compressors, taken one by one, since
 * that package's index also loads a WebAssembly snappy.
 *
 * Types map to what the same values would read as from CSV (docs/data.md): strings, enums,
 * booleans and dictionaries of them are categories; integers, decimals and floats are numbers
 * (written as JavaScript writes them, which reads back to the same number); dates are days and
 * timestamps seconds since 1970-01-01; nulls (and NaN) are missing values. `kinds` says which
 * columns are which, so a string column of digits stays a category.
 */
import { decompress as zstd } from 'fzstd';
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type Compressors,
  type FileMetaData,
  type SchemaElement,
} from 'hyparquet';
import { decompressBrotli } from 'hyparquet-compressors/src/brotli.js';
import { gunzip } from 'hyparquet-compressors/src/gzip.js';
import { decompressLz4, decompressLz4Raw } from 'hyparquet-compressors/src/lz4.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InputError } from '../common/errors.js';
import type { ColumnKind } from './column-builder.js';
import type { CsvSource } from './csv-reader.js';
import type { Shard } from './shard.js';

/** Every codec of the format but LZO (deprecated, and written by nothing current). */
const COMPRESSORS: Compressors = {
  GZIP: (input, length) => gunzip(input, new Uint8Array(length)),
  BROTLI: decompressBrotli,
  ZSTD: (input) => zstd(input),
  LZ4: decompressLz4,
  LZ4_RAW: decompressLz4Raw,
};

/** Dates and timestamps as numbers, not Date objects. */
const PARSERS = {
  dateFromDays: (days: number) => days,
  timestampFromMilliseconds: (ms: bigint) => Number(ms) / 1e3,
  timestampFromMicroseconds: (us: bigint) => Number(us) / 1e6,
  timestampFromNanoseconds: (ns: bigint) => Number(ns) / 1e9,
};

export interface ParquetSource extends CsvSource {
  /** Each column's kind, from its Parquet type. */
  readonly kinds: ReadonlyMap<string, ColumnKind>;
}

export interface ParquetReadOptions {
  /** Only this shard's rows: the rows are split evenly, in order. */
  shard?: Shard;
}

export async function openParquet(
  path: string,
  name: string,
  options: ParquetReadOptions = {},
): Promise<ParquetSource> {
  const file = await asyncBufferFromFile(path);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, { parsers: PARSERS });
  } catch (error) {
    throw new InputError(
      { file: name },
      `is not a readable Parquet file (${(error as Error).message})`,
    );
  }
  const columns = describeColumns(metadata, name);
  const header = columns.map((column) => column.name);
  const kinds = new Map(columns.map((column) => [column.name, column.kind]));
  const rows = Number(metadata.num_rows);
  const [first, last] = options.shard
    ? [
        Math.floor((rows * options.shard.index) / options.shard.count),
        Math.floor((rows * (options.shard.index + 1)) / options.shard.count),
      ]
    : [0, rows];
  let bytesRead = 0;
  let stopped = false;
  let digest: string | null = null;

  /** The row groups overlapping [first, last), each as its range of rows. */
  const groups: Array<{ start: number; end: number; bytes: number }> = [];
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    const start = Math.max(first, groupStart);
    const end = Math.min(last, groupEnd);
    if (start < end) groups.push({ start, end, bytes: Number(group.total_byte_size) });
    groupStart = groupEnd;
  }
  const bytes = groups.reduce((sum, group) => sum + group.bytes, 0);

  return {
    name,
    delimiter: ',', // numbers come as JavaScript writes them: a decimal point
    header,
    kinds,
    bytes,
    get bytesRead() {
      return bytesRead;
    },
    async *batches(size) {
      let batch: string[][] = [];
      for (const group of groups) {
        if (stopped) return;
        // Values turn into text a record at a time, so only a batch of text is alive at once.
        const values = await readGroup(file, metadata, group.start, group.end, columns, name);
        for (let row = 0; row < group.end - group.start; row++) {
          const record: string[] = new Array(values.length);
          for (let c = 0; c < values.length; c++) record[c] = columns[c].text(values[c][row]);
          batch.push(record);
          if (batch.length === size) {
            yield batch;
            batch = [];
          }
        }
        bytesRead += group.bytes;
      }
      digest = await fileDigest(path);
      if (batch.length > 0) yield batch;
    },
    fingerprint() {
      if (digest === null) throw new Error('the fingerprint is known once the file is read');
      return digest;
    },
    // No lines in Parquet: row N of the data is "line N + 1", as in its CSV export with a header.
    lineOf: async (record) => first + record + 2,
    close() {
      stopped = true;
    },
  };
}

interface ColumnReading {
  name: string;
  kind: ColumnKind;
  /** A decoded value as the text a CSV would hold ('' for missing). */
  text: (value: unknown) => string;
}

function describeColumns(metadata: FileMetaData, name: string): ColumnReading[] {
  return parquetSchema(metadata).children.map(({ element, children }) => {
    if (children.length > 0 || element.repetition_type === 'REPEATED') {
      throw new InputError(
        { file: name, column: element.name },
        'is a nested or repeated Parquet column (a list, map or struct): flatten it to one value per row',
      );
    }
    return { name: element.name, ...readingOf(element) };
  });
}

function readingOf(element: SchemaElement): Omit<ColumnReading, 'name'> {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  const isText =
    (element.type === 'BYTE_ARRAY' || element.type === 'FIXED_LEN_BYTE_ARRAY') &&
    logical !== 'DECIMAL' &&
    converted !== 'DECIMAL';
  if (isText || element.type === 'BOOLEAN') {
    return { kind: 'categorical', text: (value) => (value == null ? '' : String(value)) };
  }
  return {
    kind: 'numeric',
    text: (value) =>
      value == null || (typeof value === 'number' && value !== value) ? '' : String(value),
  };
}

/** One row group's rows [start, end) of every column, as decoded. */
async function readGroup(
  file: Awaited<ReturnType<typeof asyncBufferFromFile>>,
  metadata: FileMetaData,
  start: number,
  end: number,
  columns: ColumnReading[],
  name: string,
): Promise<Array<ArrayLike<unknown>>> {
  // Numbers as doubles (missing as NaN), not the decoder's boxed values (BigInt for 64-bit
  // integers): a row group's columns then take 8 bytes a value while their rows are read.
  const values = columns.map(({ kind }) =>
    kind === 'numeric' ? new Float64Array(end - start) : new Array<unknown>(end - start),
  );
  const index = new Map(columns.map((column, c) => [column.name, c]));
  try {
    await parquetRead({
      file,
      metadata,
      rowStart: start,
      rowEnd: end,
      compressors: COMPRESSORS,
      parsers: PARSERS,
      onChunk({ columnName, columnData, rowStart }) {
        const target = values[index.get(columnName)!] as unknown[] | Float64Array;
        const numeric = target instanceof Float64Array;
        for (let i = Math.max(0, start - rowStart); i < columnData.length; i++) {
          const row = rowStart + i - start;
          if (row >= target.length) break;
          const value = columnData[i];
          target[row] = numeric ? (value == null ? NaN : Number(value)) : value;
        }
      },
    });
  } catch (error) {
    throw new InputError({ file: name }, `cannot be read as Parquet (${(error as Error).message})`);
  }
  return values;
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return hash.digest('hex');
}
