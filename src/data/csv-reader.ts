/**
 * Reads a CSV file as a header and batches of text records, streaming, so memory depends on the
 * batch size and not the file size. UTF-8 with or without a BOM, CRLF or LF, quoted fields, blank
 * lines skipped, the delimiter detected unless given. The file's sha256 is computed on the way.
 */
import { parse, CsvError, type Parser } from 'csv-parse';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, pipeline } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { InputError } from '../common/errors.js';
import { removeOnInterrupt } from '../common/interruption.js';
import { displayPath } from '../common/paths.js';
import { isStandardStream } from '../common/standard-streams.js';
import type { ColumnKind } from './column-builder.js';
import { detectDelimiter, type Delimiter } from './delimiter.js';
import { isParquet } from './parquet-magic.js';
import { plainRecordGroups, tooLong, wrongLength } from './plain-csv.js';
import { locateShard, type ByteRange, type Shard } from './shard.js';

export interface CsvReadOptions {
  /** Overrides detection. */
  delimiter?: Delimiter;
  /** Longest field or line in characters (data.maxFieldSize); a longer one is an error. */
  maxFieldSize?: number;
  /** Only this shard's records (see shard.ts); the header is read from the file's start. */
  shard?: Shard;
  /** Where the file `-` is read from (standard input by default). */
  stdin?: NodeJS.ReadableStream;
  /**
   * Makes `-` readable twice, for `lineOf`, by copying it to a temporary file first; without it
   * standard input streams through, in constant memory, with no line numbers to look up.
   */
  rereadable?: boolean;
}

/** How messages name `-`. */
export const STDIN_NAME = 'standard input';

export const DEFAULT_MAX_FIELD_SIZE = 1_000_000;

export interface CsvSource {
  /** The file as error messages name it. */
  readonly name: string;
  readonly delimiter: Delimiter;
  readonly header: string[];
  /**
   * The bytes to read (the file's size, or the header's and the shard's), and how many of them the
   * parser has taken so far (for progress).
   */
  readonly bytes: number;
  readonly bytesRead: number;
  /** Data records, `size` at a time; each has exactly as many fields as the header. */
  batches(size: number): AsyncGenerator<string[][]>;
  /** sha256 of the bytes read (a shard's: its header and records), once every batch is read. */
  fingerprint(): string;
  /** The line a data record (0-based) starts on. Reads the file again: for error messages only. */
  lineOf(record: number): Promise<number>;
  /** Stops reading early and releases the file. */
  close(): void;
  /** Kinds of the columns as the file's format declares them (Parquet's types); none in CSV. */
  readonly kinds?: ReadonlyMap<string, ColumnKind>;
}

const SNIFF_BYTES = 64 * 1024;
const READ_CHUNK = 1 << 18;

export async function openCsv(path: string, options: CsvReadOptions = {}): Promise<CsvSource> {
  if (!isStandardStream(path)) return openFile(path, displayPath(path), options);
  const input = options.stdin ?? process.stdin;
  if (options.shard) {
    throw new InputError({ file: STDIN_NAME }, 'cannot be sharded: shards cut a file by offsets');
  }
  return options.rereadable ? openSpooled(input, options) : openStream(input, options);
}

async function openFile(path: string, name: string, options: CsvReadOptions): Promise<CsvSource> {
  const size = await checkReadable(path, name);
  const start = await readStart(path);
  checkText(start, name);
  const { ranges, lines } = await rangesToRead(path, size, start, name, options.shard);
  return readRecords({
    name,
    start,
    options,
    bytes: ranges.reduce((sum, [from, to]) => sum + to - from, 0),
    stream: readRanges(path, ranges),
    plain: await isPlain(path, start, ranges),
    lines,
    reread: () => readRanges(path, ranges),
  });
}

/**
 * Standard input as it arrives, in constant memory: parsed by csv-parse (whether a quote comes
 * later cannot be known ahead), and not read again, so records have no line numbers (`lineOf`).
 */
async function openStream(input: NodeJS.ReadableStream, options: CsvReadOptions) {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const sniffed: Buffer[] = [];
  let sniffedBytes = 0;
  let ended = false;
  while (sniffedBytes < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.from(next.value);
    sniffed.push(chunk);
    sniffedBytes += chunk.length;
  }
  const start = Buffer.concat(sniffed);
  if (isParquet(start)) {
    throw new InputError(
      { file: STDIN_NAME },
      'is Parquet, which is read from a file (its index is at its end): give the file instead of -',
    );
  }
  checkText(start, STDIN_NAME);
  async function* all() {
    yield start;
    if (ended) return;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      yield Buffer.from(next.value);
    }
  }
  return readRecords({
    name: STDIN_NAME,
    start,
    options,
    bytes: 0,
    stream: Readable.from(all(), { objectMode: false }),
    plain: false,
    lines: (line) => line,
    reread: null,
  });
}

/**
 * Standard input copied to a temporary file first, then read as a file: for readers that keep
 * every row anyway (training) and name lines in their messages.
 */
async function openSpooled(input: NodeJS.ReadableStream, options: CsvReadOptions) {
  const dir = await mkdtemp(join(tmpdir(), 'churn-stdin-'));
  const forget = removeOnInterrupt(dir);
  const remove = () => {
    forget();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const path = join(dir, 'standard-input.csv');
    await streamPipeline(input, createWriteStream(path));
    const source = await openFile(path, STDIN_NAME, options);
    return {
      ...source,
      get bytesRead() {
        return source.bytesRead;
      },
      close() {
        source.close();
        remove();
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

interface RecordInput {
  name: string;
  /** The first bytes, for the delimiter. */
  start: Buffer;
  options: CsvReadOptions;
  /** Bytes to read, for progress; 0 when not known. */
  bytes: number;
  stream: Readable;
  /** No quote in any byte: each line is a record (plain-csv.ts). */
  plain: boolean;
  /** A line as the parser counts it → the file's line. */
  lines: (line: number) => number;
  /** The same bytes again, for lineOf; null when they cannot be read twice. */
  reread: (() => Readable) | null;
}

async function readRecords(input: RecordInput): Promise<CsvSource> {
  const { name, options, lines } = input;
  const delimiter = options.delimiter ?? detectDelimiter(input.start.toString('utf8'));
  const maxFieldSize = options.maxFieldSize ?? DEFAULT_MAX_FIELD_SIZE;
  const hash = createHash('sha256');
  let bytesRead = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytesRead += chunk.length;
      done(null, chunk);
    },
  });
  const file = input.stream;
  let groups: AsyncIterator<string[][]>;
  let stop: () => void;
  if (input.plain) {
    file.pipe(hashing);
    file.on('error', (error) => hashing.destroy(error));
    groups = plainRecordGroups(hashing, { name, delimiter, maxFieldSize, lineOf: lines });
    stop = () => file.destroy();
  } else {
    const parser = parse(parserOptions(delimiter, maxFieldSize));
    pipeline(file, hashing, parser, () => {
      // Errors reach the reader through the parser's iterator.
    });
    groups = singleRecords(parser[Symbol.asyncIterator]() as AsyncIterator<string[]>);
    stop = () => parser.destroy();
  }

  let pending: string[][] = [];
  /** The next group of records, read errors turned into input errors naming the file. */
  const nextGroup = async (headerFields?: number): Promise<string[][] | null> => {
    if (pending.length > 0) {
      const group = pending;
      pending = [];
      return group;
    }
    try {
      const next = await groups.next();
      return next.done ? null : next.value;
    } catch (error) {
      throw asInputError(error, name, headerFields, maxFieldSize, lines);
    }
  };

  const firstGroup = await nextGroup();
  if (firstGroup === null) throw new InputError({ file: name }, 'is empty: expected a header row');
  const header = firstGroup[0].map((field) => field.trim());
  pending = firstGroup.slice(1);
  checkHeader(header, name);
  let digest: string | null = null;
  const { reread } = input;

  return {
    name,
    delimiter,
    header,
    bytes: input.bytes,
    get bytesRead() {
      return bytesRead;
    },
    async *batches(size) {
      let batch: string[][] = [];
      for (
        let group = await nextGroup(header.length);
        group;
        group = await nextGroup(header.length)
      ) {
        for (const record of group) {
          batch.push(record);
          if (batch.length === size) {
            yield batch;
            batch = [];
          }
        }
      }
      digest = hash.digest('hex');
      if (batch.length > 0) yield batch;
    },
    fingerprint() {
      if (digest === null) throw new Error('the fingerprint is known once the file is read');
      return digest;
    },
    async lineOf(record) {
      if (reread === null) throw new Error(`${name} cannot be read again to find a line`);
      return lines(await locateRecord(reread(), delimiter, maxFieldSize, record));
    },
    close: () => stop(),
  };
}

/** csv-parse's records, each a group of its own. */
async function* singleRecords(records: AsyncIterator<string[]>): AsyncGenerator<string[][]> {
  for (let next = await records.next(); !next.done; next = await records.next()) yield [next.value];
}

/**
 * Whether the fast path applies: UTF-8 text with no quote character anywhere and LF or CRLF line
 * ends. Looking for one byte through the file costs a few milliseconds per 100 MB.
 */
async function isPlain(path: string, start: Buffer, ranges: ByteRange[]): Promise<boolean> {
  if (isUtf16Le(start)) return false; // csv-parse decodes it
  const carriageReturn = start.indexOf(0x0d);
  if (
    carriageReturn >= 0 &&
    start[carriageReturn + 1] !== 0x0a &&
    carriageReturn + 1 < start.length
  ) {
    return false; // old Mac line ends
  }
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (const [from, to] of ranges) {
      for (let position = from; position < to;) {
        const length = Math.min(buffer.length, to - position);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead === 0) break;
        if (buffer.subarray(0, bytesRead).indexOf(0x22) >= 0) return false;
        position += bytesRead;
      }
    }
    return true;
  } finally {
    await handle.close();
  }
}

/**
 * The whole file, or a shard's header and records; and how a line number the parser counts in
 * those bytes maps to the file's (for a shard, lines after its header move past earlier shards).
 */
async function rangesToRead(
  path: string,
  size: number,
  start: Buffer,
  name: string,
  shard: Shard | undefined,
): Promise<{ ranges: ByteRange[]; lines: (line: number) => number }> {
  if (shard === undefined) return { ranges: [[0, size]], lines: (line) => line };
  const { header, data, headerLines, lineShift } = await locateShard(
    path,
    shard,
    size,
    start,
    name,
  );
  return {
    ranges: [header, data],
    lines: (line) => (line > headerLines ? line + lineShift : line),
  };
}

/** The bytes of the ranges, one after the other, as one stream. */
function readRanges(path: string, ranges: ByteRange[]): Readable {
  if (ranges.length === 1) return createReadStream(path, { highWaterMark: READ_CHUNK });
  async function* chunks() {
    for (const [from, to] of ranges) {
      if (to > from)
        yield* createReadStream(path, { start: from, end: to - 1, highWaterMark: READ_CHUNK });
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

function parserOptions(delimiter: Delimiter, maxFieldSize: number) {
  return { bom: true, delimiter, skip_empty_lines: true, max_record_size: maxFieldSize } as const;
}

function asInputError(
  error: unknown,
  name: string,
  headerFields: number | undefined,
  maxFieldSize: number,
  lines: (line: number) => number,
): Error {
  if (!(error instanceof CsvError)) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? new InputError({ file: name }, `cannot be read (${code})`) : (error as Error);
  }
  const parsedLine = (error as CsvError & { lines?: number }).lines;
  const line = parsedLine === undefined ? undefined : lines(parsedLine);
  const record = (error as CsvError & { record?: string[] }).record;
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return wrongLength(
        name,
        line,
        record?.length ?? 'a different number of',
        // The parser reads ahead, so this can surface before the header was handed over.
        headerFields ?? /expect (\d+)/.exec(error.message)?.[1] ?? 'another number',
      );
    case 'CSV_MAX_RECORD_SIZE':
      return tooLong(name, line, maxFieldSize);
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

async function readStart(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Text files have no NUL bytes, except UTF-16 ones (which announce themselves with a BOM): a NUL
 * means a spreadsheet, an archive or a damaged file, better named as such than parsed into junk.
 */
function checkText(start: Buffer, name: string): void {
  if (start[0] === 0xfe && start[1] === 0xff) {
    throw new InputError(
      { file: name },
      'is UTF-16 big-endian text: save it as UTF-8 (or UTF-16 LE)',
    );
  }
  const nul = isUtf16Le(start) ? -1 : start.indexOf(0);
  if (nul >= 0) {
    throw new InputError(
      { file: name },
      `is not a text CSV file (a NUL byte at offset ${nul}): a spreadsheet, an archive or a damaged file? Export it as CSV`,
    );
  }
}

/** Starts with the UTF-16 little-endian byte order mark. */
function isUtf16Le(start: Buffer): boolean {
  return start[0] === 0xff && start[1] === 0xfe;
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
async function locateRecord(
  bytes: Readable,
  delimiter: Delimiter,
  maxFieldSize: number,
  record: number,
): Promise<number> {
  const parser: Parser = bytes.pipe(
    parse({ ...parserOptions(delimiter, maxFieldSize), info: true, to: record + 2 }),
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
