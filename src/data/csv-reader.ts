/**
 * Reads a CSV file as a header and batches of text records, streaming, so memory depends on the
 * batch size and not the file size. UTF-8 with or without a BOM, CRLF or LF, quoted fields, blank
 * lines skipped, the delimiter detected unless given. The file's sha256 is computed on the way.
 */
import { parse, CsvError, type Parser } from 'csv-parse';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform, pipeline } from 'node:stream';
import { InputError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { detectDelimiter, type Delimiter } from './delimiter.js';

export interface CsvReadOptions {
  /** Overrides detection. */
  delimiter?: Delimiter;
}

export interface CsvSource {
  /** The file as error messages name it. */
  readonly name: string;
  readonly delimiter: Delimiter;
  readonly header: string[];
  /** The file's size, and how many of its bytes the parser has taken so far (for progress). */
  readonly bytes: number;
  readonly bytesRead: number;
  /** Data records, `size` at a time; each has exactly as many fields as the header. */
  batches(size: number): AsyncGenerator<string[][]>;
  /** sha256 of the file, once every batch has been read. */
  fingerprint(): string;
  /** The line a data record (0-based) starts on. Reads the file again: for error messages only. */
  lineOf(record: number): Promise<number>;
  /** Stops reading early and releases the file. */
  close(): void;
}

const SNIFF_BYTES = 64 * 1024;
const READ_CHUNK = 1 << 18;

export async function openCsv(path: string, options: CsvReadOptions = {}): Promise<CsvSource> {
  const name = displayPath(path);
  const bytes = await checkReadable(path, name);
  const delimiter = options.delimiter ?? detectDelimiter(await readStart(path));
  const hash = createHash('sha256');
  let bytesRead = 0;
  const parser = parse(parserOptions(delimiter));
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytesRead += chunk.length;
      done(null, chunk);
    },
  });
  pipeline(createReadStream(path, { highWaterMark: READ_CHUNK }), hashing, parser, () => {
    // Errors reach the reader through the parser's iterator.
  });
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const first = await nextRecord(records, name);
  if (first.done) throw new InputError({ file: name }, 'is empty: expected a header row');
  const header = first.value.map((field) => field.trim());
  checkHeader(header, name);
  let digest: string | null = null;

  return {
    name,
    delimiter,
    header,
    bytes,
    get bytesRead() {
      return bytesRead;
    },
    async *batches(size) {
      let batch: string[][] = [];
      for (;;) {
        const next = await nextRecord(records, name, header.length);
        if (next.done) break;
        batch.push(next.value);
        if (batch.length === size) {
          yield batch;
          batch = [];
        }
      }
      digest = hash.digest('hex');
      if (batch.length > 0) yield batch;
    },
    fingerprint() {
      if (digest === null) throw new Error('the fingerprint is known once the file is read');
      return digest;
    },
    lineOf: (record) => locateRecord(path, delimiter, record),
    close: () => parser.destroy(),
  };
}

function parserOptions(delimiter: Delimiter) {
  return { bom: true, delimiter, skip_empty_lines: true } as const;
}

async function nextRecord(
  records: AsyncIterator<string[]>,
  name: string,
  headerFields?: number,
): Promise<IteratorResult<string[]>> {
  try {
    return await records.next();
  } catch (error) {
    throw asInputError(error, name, headerFields);
  }
}

function asInputError(error: unknown, name: string, headerFields?: number): Error {
  if (!(error instanceof CsvError)) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? new InputError({ file: name }, `cannot be read (${code})`) : (error as Error);
  }
  const line = (error as CsvError & { lines?: number }).lines;
  const record = (error as CsvError & { record?: string[] }).record;
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return new InputError(
        { file: name, line },
        `has ${record?.length ?? 'a different number of'} fields where the header has ` +
          `${headerFields ?? 'another number'} (a delimiter inside an unquoted value?)`,
      );
    case 'CSV_QUOTE_NOT_CLOSED':
      return new InputError({ file: name, line }, 'the file ends inside a quoted field');
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new InputError(
        { file: name, line },
        'a closing quote is followed by text instead of a delimiter',
      );
    default:
      return new InputError({ file: name, line }, error.message);
  }
}

/** The file's size in bytes, once it is known to be a readable file. */
async function checkReadable(path: string, name: string): Promise<number> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      { file: name },
      error.code === 'ENOENT' ? 'no such file' : `cannot be read (${error.code})`,
    );
  });
  if (!info.isFile()) throw new InputError({ file: name }, 'is not a file');
  return info.size;
}

async function readStart(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function checkHeader(header: string[], name: string): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const column of header) {
    if (column === '') continue;
    if (seen.has(column)) duplicates.add(column);
    seen.add(column);
  }
  if (duplicates.size > 0) {
    throw new InputError(
      { file: name, line: 1 },
      `the header names ${[...duplicates].map((c) => `"${c}"`).join(', ')} more than once`,
    );
  }
}

/** Parses again, with per-record line info this time (it costs more than twice the time). */
async function locateRecord(path: string, delimiter: Delimiter, record: number): Promise<number> {
  const parser: Parser = createReadStream(path, { highWaterMark: READ_CHUNK }).pipe(
    parse({ ...parserOptions(delimiter), info: true, to: record + 2 }),
  );
  let line = 0;
  let index = -1; // the header is record -1
  for await (const entry of parser as AsyncIterable<{ info: { lines: number } }>) {
    line = entry.info.lines;
    if (index++ === record) break;
  }
  parser.destroy();
  return line;
}
