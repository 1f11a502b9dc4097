/**
 * Shard K of N of a CSV file: the bytes of the data records that fall to it, found by each shard
 * alone, so N processes can score one shared file with no coordinator.
 *
 * The data after the header is cut at N - 1 evenly spaced byte offsets, and each cut moves forward
 * to the next record start: just after the first line break that is not inside a quoted field.
 * Whether an offset is inside quotes is the parity of the quote characters before it (in CSV a
 * quoted field holds its quotes in pairs, an escaped quote being doubled), so a shard reads the
 * file from its start up to its own end once, counting quotes and line breaks; those bytes are
 * searched for, not parsed, which takes milliseconds per 100 MB. Every shard walks the same cuts
 * in the same order, so shard K's end is exactly shard K + 1's start: together the shards hold
 * every record once, in the file's order.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../common/errors.js';

/** Shard `index` (from 0) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Byte offsets `[start, end)` in the file. */
export type ByteRange = readonly [start: number, end: number];

export interface ShardBytes {
  /** The header record, with any blank lines and byte order mark before it. */
  header: ByteRange;
  /** This shard's data records: empty when the file has fewer records than shards. */
  data: ByteRange;
  /** Line breaks in the header's bytes. */
  headerLines: number;
  /**
   * Lines between the header and the shard's first record. A reader of the header's bytes and
   * then the shard's counts lines as if they followed each other; add this to a data line's
   * number to get its line in the file.
   */
  lineShift: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const CHUNK = 1 << 20;

/** `2-of-4`: how a shard's output and its metrics name it. */
export function shardLabel({ index, count }: Shard): string {
  return `${String(index).padStart(String(count - 1).length, '0')}-of-${count}`;
}

/**
 * Where shard `shard` of the file lies. `start` is the file's first bytes (for the line-break
 * style); `size` its length; `name` the file as messages name it.
 */
export async function locateShard(
  path: string,
  shard: Shard,
  size: number,
  start: Buffer,
  name: string,
): Promise<ShardBytes> {
  if (start[0] === 0xff && start[1] === 0xfe) {
    throw new InputError(
      { file: name },
      'is UTF-16 text, which cannot be sharded: save it as UTF-8',
    );
  }
  const handle = await open(path, 'r');
  try {
    const scan = new RecordScanner(handle, size, lineBreakByte(start));
    await scan.skipBlankStart();
    const headerEnd = await scan.nextRecordStart();
    const headerLines = scan.lines;
    const dataBytes = size - headerEnd;
    const cut = (k: number) => headerEnd + Math.floor((dataBytes * k) / shard.count);
    let first = headerEnd;
    let firstLines = headerLines;
    for (let k = 1; k <= shard.index; k++) {
      first = await scan.recordStartFrom(cut(k));
      firstLines = scan.lines;
    }
    const end =
      shard.index + 1 === shard.count ? size : await scan.recordStartFrom(cut(shard.index + 1));
    return {
      header: [0, headerEnd],
      data: [first, Math.max(first, end)],
      headerLines,
      lineShift: firstLines - headerLines,
    };
  } finally {
    await handle.close();
  }
}

/**
 * The byte that ends lines, as the first line break shows: CR for old Mac files, LF otherwise
 * (CRLF included). csv-parse keeps the first style it meets, so a shard does too.
 */
function lineBreakByte(start: Buffer): number {
  const lf = start.indexOf(LF);
  const cr = start.indexOf(CR);
  if (cr >= 0 && (lf < 0 || cr < lf) && start[cr + 1] !== LF && cr + 1 < start.length) return CR;
  return LF;
}

/**
 * Reads a file forward from its start, knowing at each position whether it is inside quotes and
 * how many line breaks came before.
 */
class RecordScanner {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private bufferStart = 0;
  private bufferLength = 0;
  private position = 0;
  private insideQuotes = false;
  /** Line breaks before `position`, inside quoted fields too (as csv-parse counts lines). */
  lines = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
    private readonly lineBreak: number,
  ) {}

  /** A byte order mark and blank lines before the header, which readers skip. */
  async skipBlankStart(): Promise<void> {
    if (!(await this.load())) return;
    let at = 0;
    const { buffer } = this;
    if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) at = 3;
    while (at < this.bufferLength && (buffer[at] === LF || buffer[at] === CR)) {
      if (buffer[at] === this.lineBreak) this.lines++;
      at++;
    }
    this.position = at;
  }

  /**
   * The first record start at or after `offset`: `offset` itself when a line break outside quotes
   * ends just before it, else just after the next such line break (the file's end if none).
   */
  async recordStartFrom(offset: number): Promise<number> {
    if (this.position >= offset) return this.position; // a long record passed the cut already
    await this.advanceTo(offset - 1);
    return this.nextRecordStart();
  }

  /** Just after the next line break outside quotes, from the current position. */
  async nextRecordStart(): Promise<number> {
    while (await this.load()) {
      const { buffer, lineBreak } = this;
      const length = this.bufferLength;
      for (let at = this.position - this.bufferStart; at < length; at++) {
        const byte = buffer[at];
        if (byte === QUOTE) {
          this.insideQuotes = !this.insideQuotes;
        } else if (byte === lineBreak) {
          this.lines++;
          if (!this.insideQuotes) {
            this.position = this.bufferStart + at + 1;
            return this.position;
          }
        }
      }
      this.position = this.bufferStart + length;
    }
    return this.size;
  }

  /** Counts the quotes and line breaks before `target`. */
  private async advanceTo(target: number): Promise<void> {
    while (this.position < target && (await this.load())) {
      const from = this.position - this.bufferStart;
      const to = Math.min(this.bufferLength, target - this.bufferStart);
      if (count(this.buffer, QUOTE, from, to) % 2 === 1) this.insideQuotes = !this.insideQuotes;
      this.lines += count(this.buffer, this.lineBreak, from, to);
      this.position = this.bufferStart + to;
    }
  }

  /** Makes the buffer hold the current position; false at the end of the file. */
  private async load(): Promise<boolean> {
    if (this.position >= this.size) return false;
    if (this.position < this.bufferStart + this.bufferLength) return true;
    const { bytesRead } = await this.handle.read(this.buffer, 0, CHUNK, this.position);
    this.bufferStart = this.position;
    this.bufferLength = bytesRead;
    return bytesRead > 0;
  }
}

/** Occurrences of `byte` in `buffer[from, to)`, found by memchr rather than a loop in JavaScript. */
function count(buffer: Buffer, byte: number, from: number, to: number): number {
  const bytes = buffer.subarray(0, to);
  let found = 0;
  for (let at = bytes.indexOf(byte, from); at >= 0; at = bytes.indexOf(byte, at + 1)) found++;
  return found;
}
