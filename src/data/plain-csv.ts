/**
 * Records of a CSV file that holds no quote character: each line is a record, its fields split on
 * the delimiter. Most machine-written CSV is like that, and this is several times faster than a
 * general parser, which must look at every character for quotes; `csv-reader` uses it once it has
 * checked that the file has none. Same rules as the general path: a BOM dropped, LF or CRLF,
 * blank lines skipped, every record as long as the first, no line longer than the limit.
 */
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../common/errors.js';

export interface PlainCsvOptions {
  name: string;
  delimiter: string;
  maxFieldSize: number;
  /** The file's line of a line counted in the bytes read (a shard's differ); the same by default. */
  lineOf?: (line: number) => number;
}

/** Groups of records, one group per chunk of the file. */
export async function* plainRecordGroups(
  chunks: AsyncIterable<Buffer>,
  options: PlainCsvOptions,
): AsyncGenerator<string[][]> {
  const { name, delimiter, maxFieldSize } = options;
  const lineOf = options.lineOf ?? ((line: number) => line);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let line = 0;
  let fields = -1;
  let first = true;

  const split = (text: string, records: string[][]) => {
    line++;
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    if (end === 0) return; // a blank line
    if (end > maxFieldSize) throw tooLong(name, lineOf(line), maxFieldSize);
    const record = (end === text.length ? text : text.slice(0, end)).split(delimiter);
    if (fields < 0) fields = record.length;
    else if (record.length !== fields) {
      throw wrongLength(name, lineOf(line), record.length, fields);
    }
    records.push(record);
  };

  for await (const chunk of chunks) {
    let text = rest + decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const records: string[][] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      split(text.slice(start, end), records);
      start = end + 1;
    }
    rest = text.slice(start);
    if (rest.length > maxFieldSize) throw tooLong(name, lineOf(line + 1), maxFieldSize);
    if (records.length > 0) yield records;
  }
  rest += decoder.end();
  if (rest.length > 0) {
    const records: string[][] = [];
    split(rest, records);
    if (records.length > 0) yield records;
  }
}

export function wrongLength(
  name: string,
  line: number | undefined,
  found: number | string,
  expected: number | string,
): InputError {
  return new InputError(
    { file: name, line },
    `has ${found} ${Number(found) === 1 ? 'field' : 'fields'} where the header has ${expected} ` +
      '(a delimiter inside an unquoted value?)',
  );
}

export function tooLong(name: string, line: number | undefined, maxFieldSize: number): InputError {
  return new InputError(
    { file: name, line },
    `has a field or line longer than ${maxFieldSize.toLocaleString('en-US')} characters ` +
      '(data.maxFieldSize; an unclosed quote can also cause it)',
  );
}
