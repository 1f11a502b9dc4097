/**
 * Random bytes and random CSV-like text fed to the reader and the labelled-table builder: each
 * gives rows or a typed InputError, never another exception, never a hang.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChurnError } from '../../src/common/errors.js';
import { parse as parseSync } from 'csv-parse/sync';
import { openCsv } from '../../src/data/csv-reader.js';
import { readLabelledTable } from '../../src/data/labelled-table.js';
import { tempDir } from '../helpers/cli.js';

const scratch = tempDir();
afterAll(() => scratch.remove());
let counter = 0;

function fileWith(content: Uint8Array | string): string {
  const path = join(scratch.path, `case-${counter++}.csv`);
  writeFileSync(path, content);
  return path;
}

/** Settles within a few seconds, as rows or an InputError; anything else fails the property. */
async function settles(work: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('hung for 5 s')), 5000);
  });
  try {
    await Promise.race([work(), hang]);
  } catch (error) {
    if (!(error instanceof ChurnError) || error.exitCode !== 2) throw error;
    expect(error.message).not.toContain('\n');
  } finally {
    clearTimeout(timer);
  }
}

async function readAll(path: string): Promise<number> {
  const source = await openCsv(path, { maxFieldSize: 4096 });
  let rows = 0;
  try {
    for await (const batch of source.batches(64)) {
      for (const record of batch) expect(record).toHaveLength(source.header.length);
      rows += batch.length;
    }
  } finally {
    source.close();
  }
  return rows;
}

const csvLike = fc
  .array(
    fc.array(
      fc.oneof(
        fc.constantFrom(
          '',
          '1',
          '0',
          'yes',
          'no',
          'NA',
          '?',
          '3.5',
          '-2',
          '1e9',
          'abc',
          'França',
          ' ',
          '"',
        ),
        fc.string({ maxLength: 6 }),
        fc.stringMatching(/^"[^"]*("")?[^"]*"?$/),
      ),
      { minLength: 1, maxLength: 6 },
    ),
    { minLength: 0, maxLength: 30 },
  )
  .chain((rows) =>
    fc.record({
      rows: fc.constant(rows),
      delimiter: fc.constantFrom(',', ';', '\t', '|'),
      newline: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
    }),
  )
  .map(({ rows, delimiter, newline, bom }) => {
    const header = ['a', 'b', 'target'].join(delimiter);
    const body = rows.map((row) => row.join(delimiter)).join(newline);
    return `${bom ? '\uFEFF' : ''}${header}${newline}${body}`;
  });

describe('the CSV reader under fuzzing', () => {
  it('turns random bytes into rows or an input error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        await settles(() => readAll(fileWith(bytes)));
      }),
      { numRuns: 300 },
    );
  });

  it('turns random CSV-like text into rows or an input error', async () => {
    await fc.assert(
      fc.asyncProperty(csvLike, async (text) => {
        await settles(() => readAll(fileWith(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('builds a labelled table from random CSV-like text or refuses it with an input error', async () => {
    await fc.assert(
      fc.asyncProperty(csvLike, async (text) => {
        await settles(async () => {
          const table = await readLabelledTable(fileWith(text), {
            target: 'target',
            id: null,
            positiveLabel: null,
          });
          expect(table.labels.length + table.missingTarget).toBe(table.rowsRead);
          for (const column of table.features) {
            expect(column.kind === 'numeric' ? column.values.length : column.codes.length).toBe(
              table.labels.length,
            );
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('the fast path for files without quotes', () => {
  const plainText = fc
    .record({
      header: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 5 }),
      rows: fc.array(
        fc.array(fc.stringMatching(/^[^"\r\n,;\t|]{0,5}$/), { minLength: 1, maxLength: 6 }),
        {
          maxLength: 40,
        },
      ),
      blank: fc.array(fc.nat(40), { maxLength: 3 }),
      newline: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      trailing: fc.boolean(),
    })
    .map(({ header, rows, blank, newline, bom, trailing }) => {
      const lines = [header.join(','), ...rows.map((row) => row.join(','))];
      for (const at of blank) lines.splice(Math.min(at, lines.length), 0, '');
      return `${bom ? '\uFEFF' : ''}${lines.join(newline)}${trailing ? newline : ''}`;
    });

  it('reads records, and refuses bad ones on the same line, exactly as csv-parse does', async () => {
    await fc.assert(
      fc.asyncProperty(plainText, async (text) => {
        const path = fileWith(text);
        let expected:
          { header: string[]; rows: string[][] } | { line: number | undefined } | 'empty';
        try {
          const all = parseSync(text, {
            bom: true,
            delimiter: ',',
            skip_empty_lines: true,
          }) as string[][];
          expected = all.length === 0 ? 'empty' : { header: all[0], rows: all.slice(1) };
        } catch (error) {
          expected = { line: (error as { lines?: number }).lines };
        }
        try {
          const source = await openCsv(path, { delimiter: ',' });
          const rows: string[][] = [];
          for await (const batch of source.batches(7)) rows.push(...batch);
          expect(expected).not.toHaveProperty('line');
          expect({ header: source.header, rows }).toEqual(
            typeof expected === 'object' && 'rows' in expected
              ? { header: expected.header.map((f) => f.trim()), rows: expected.rows }
              : expected,
          );
        } catch (error) {
          if (!(error instanceof ChurnError)) throw error;
          if (expected === 'empty') return expect(error.message).toContain('is empty');
          expect(expected, error.message).toHaveProperty('line');
          expect(error.message).toContain(`line ${(expected as { line: number }).line}:`);
        }
      }),
      { numRuns: 400 },
    );
  });
});
