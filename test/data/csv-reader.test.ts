import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCsv } from '../../src/data/csv-reader.js';
import { detectDelimiter } from '../../src/data/delimiter.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

async function readAll(content: string | Buffer, delimiter?: ',' | ';') {
  const path = join(dir.path, 'input.csv');
  writeFileSync(path, content);
  const source = await openCsv(path, { delimiter });
  const records: string[][] = [];
  for await (const batch of source.batches(2)) records.push(...batch);
  return { source, records };
}

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b;c\n1,5;2;3\n', ';'],
    ['a\tb\tc\n1\t2\t3\n', '\t'],
    ['a|b|c\n1|2|3\n', '|'],
    ['"x,y";b\n"1,2";3\n', ';'],
  ])('finds the separator of %j', (sample, expected) => {
    expect(detectDelimiter(sample)).toBe(expected);
  });
});

describe('openCsv', () => {
  it('reads a BOM, CRLF, semicolons, quoted fields with delimiters, quotes and newlines', async () => {
    const content = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('id;name;note\r\n1;"Silva; Ana";"said ""hi""\ntwice"\r\n\r\n2;Bob;\r\n'),
    ]);
    const { source, records } = await readAll(content);
    expect(source.delimiter).toBe(';');
    expect(source.header).toEqual(['id', 'name', 'note']);
    expect(records).toEqual([
      ['1', 'Silva; Ana', 'said "hi"\ntwice'],
      ['2', 'Bob', ''],
    ]);
    expect(source.fingerprint()).toMatch(/^[0-9a-f]{64}$/);
    // The second record starts after a two-line record and a blank line.
    expect(await source.lineOf(1)).toBe(5);
  });

  it('names the file and line of a row with too many fields', async () => {
    await expect(readAll('a,b\n1,2\n3,4,5\n')).rejects.toThrow(
      /input\.csv, line 3: has 3 fields where the header has 2/,
    );
    await expect(readAll('a,b\n1,2\n3\n')).rejects.toThrow(
      /input\.csv, line 3: has 1 field where the header has 2 \(/,
    );
  });

  it('names the file of an unclosed quote, an empty file and a missing file', async () => {
    await expect(readAll('a,b\n1,"2\n')).rejects.toThrow(/input\.csv.*ends inside a quoted field/);
    await expect(readAll('')).rejects.toThrow(/input\.csv: is empty/);
    await expect(openCsv(join(dir.path, 'nope.csv'))).rejects.toThrow(/nope\.csv: no such file/);
  });

  it('refuses a header that names a column twice', async () => {
    await expect(readAll('a,b,a\n1,2,3\n')).rejects.toThrow(/line 1: the header names "a" more/);
  });
});
