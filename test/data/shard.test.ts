/**
 * Shards of one CSV file: each found alone, together they hold every record once, in order, as
 * the whole file reads; quoted fields spanning lines never split, whatever the cut points.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCsv } from '../../src/data/csv-reader.js';
import { csvLine } from '../../src/data/csv-writer.js';
import { parseShard } from '../../src/cli/parse.js';
import { locateShard, shardLabel, type Shard } from '../../src/data/shard.js';
import { tempDir } from '../helpers/cli.js';

const scratch = tempDir();
afterAll(() => scratch.remove());
let counter = 0;

function fileWith(content: string | Buffer): string {
  const path = join(scratch.path, `case-${counter++}.csv`);
  writeFileSync(path, content);
  return path;
}

async function records(path: string, shard?: Shard) {
  const source = await openCsv(path, { shard });
  const rows: string[][] = [];
  try {
    for await (const batch of source.batches(7)) rows.push(...batch);
  } finally {
    source.close();
  }
  return { header: source.header, rows };
}

async function everyShard(path: string, count: number) {
  const shards = [];
  for (let index = 0; index < count; index++) shards.push(await records(path, { index, count }));
  return shards;
}

describe('parseShard and shardLabel', () => {
  it('reads K/N with K from 0 to N - 1, and refuses anything else', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/3', '1.5/3', '2', '/3', 'a/b', '']) {
      expect(parseShard(bad)).toBeNull();
    }
  });

  it('names shards so they sort in order', () => {
    expect(shardLabel({ index: 2, count: 4 })).toBe('2-of-4');
    expect(shardLabel({ index: 3, count: 12 })).toBe('03-of-12');
  });
});

describe('locateShard', () => {
  it('cuts at record starts, the shards covering the data bytes end to end', async () => {
    const body = Array.from({ length: 100 }, (_, i) => `${i},name ${i}\n`).join('');
    const content = `id,name\n${body}`;
    const path = fileWith(content);
    const start = Buffer.from(content);
    let previousEnd = 'id,name\n'.length;
    for (let index = 0; index < 4; index++) {
      const { header, data } = await locateShard(
        path,
        { index, count: 4 },
        start.length,
        start,
        'x',
      );
      expect(header).toEqual([0, 8]);
      expect(data[0]).toBe(previousEnd);
      expect(content[data[0] - 1]).toBe('\n');
      previousEnd = data[1];
    }
    expect(previousEnd).toBe(content.length);
  });

  it('never cuts inside a quoted field, even one of many lines across the cut point', async () => {
    // The middle of the data is inside one quoted field of many lines.
    const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const content = `id,note\n1,a\n2,"${long}"\n3,b\n4,c\n`;
    const path = fileWith(content);
    const shards = await everyShard(path, 2);
    expect(shards.map((s) => s.rows.map((r) => r[0]))).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(shards[0].rows[1][1]).toBe(long);
  });

  it('gives the whole file, record for record, in order, for any cuts and line breaks', async () => {
    const field = fc.oneof(
      fc.constantFrom('', '1', 'x', 'a b', 'ção', ' '),
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é'), maxLength: 8 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 3, maxLength: 3 }), { maxLength: 25 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 1, max: 6 }),
        async (rows, lineEnd, blankLines, count) => {
          const lines = [csvLine(['a', 'b', 'c']), ...rows.map((row) => csvLine(row))];
          const text = lines.join(lineEnd) + (blankLines ? lineEnd + lineEnd : lineEnd);
          const path = fileWith(
            blankLines ? lineEnd + text.replace(lineEnd, lineEnd + lineEnd) : text,
          );
          const whole = await records(path);
          const shards = await everyShard(path, count);
          for (const shard of shards) expect(shard.header).toEqual(whole.header);
          expect(shards.flatMap((shard) => shard.rows)).toEqual(whole.rows);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps an old Mac file (CR line ends) whole across shards', async () => {
    const path = fileWith('a,b\r1,"x\ry"\r2,z\r3,w\r');
    const whole = await records(path);
    expect(whole.rows).toHaveLength(3);
    const shards = await everyShard(path, 3);
    expect(shards.flatMap((shard) => shard.rows)).toEqual(whole.rows);
  });

  it('gives a shard beyond the records no rows, with the header', async () => {
    const path = fileWith('a,b\n1,2\n');
    const shards = await everyShard(path, 5);
    expect(shards.map((shard) => shard.rows.length).reduce((a, b) => a + b)).toBe(1);
    for (const shard of shards) expect(shard.header).toEqual(['a', 'b']);
  });

  it('names the line in the file, not in the shard, of a bad record', async () => {
    const body = Array.from({ length: 50 }, (_, i) => (i === 40 ? '1,2,3' : `${i},"x\ny"`));
    const path = fileWith(`a,b\n${body.join('\n')}\n`);
    // Record 40 starts on line 2 + 2 * 40 (each record before it spans two lines).
    const failures = await Promise.allSettled(
      [0, 1, 2].map((index) => records(path, { index, count: 3 })),
    );
    const messages = failures.flatMap((f) => (f.status === 'rejected' ? [String(f.reason)] : []));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/line 82: has 3 fields where the header has 2/);
  });

  it('points lineOf at the file line of a shard record', async () => {
    const body = Array.from({ length: 30 }, (_, i) => `${i},v${i}`).join('\n');
    const path = fileWith(`a,b\n${body}\n`);
    const source = await openCsv(path, { shard: { index: 2, count: 3 } });
    const rows: string[][] = [];
    for await (const batch of source.batches(100)) rows.push(...batch);
    expect(await source.lineOf(0)).toBe(Number(rows[0][0]) + 2);
    source.close();
  });

  it('refuses to shard UTF-16 text', async () => {
    const path = fileWith(Buffer.from('\ufeffa,b\n1,2\n', 'utf16le'));
    await expect(records(path, { index: 0, count: 2 })).rejects.toThrow(
      /UTF-16.*cannot be sharded/,
    );
  });
});
