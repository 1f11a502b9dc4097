/**
 * Parquet files written by DuckDB read as the same table as DuckDB's CSV export of the same rows:
 * every codec, several row groups, nulls, dictionary-encoded strings; types mapped to kinds;
 * detected by content, not name; shards of rows; clear errors for what cannot be read.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openCsv } from '../../src/data/csv-reader.js';
import { readLabelledTable } from '../../src/data/labelled-table.js';
import { openTable } from '../../src/data/table-source.js';
import { tempDir } from '../helpers/cli.js';
import { CODECS, parquetLayout, writeCsv, writeParquet } from '../helpers/parquet.js';

const scratch = tempDir();
afterAll(() => scratch.remove());
const at = (name: string) => join(scratch.path, name);

/** 5000 rows of every kind of column, with nulls and a low-cardinality (dictionary) string. */
const TABLE = `
  SELECT
    i AS id,
    CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 37) % 91 END AS age,
    CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 1.25 - 3000.5)::DOUBLE END AS balance,
    (i % 5)::INTEGER AS products,
    CASE WHEN i % 13 = 0 THEN NULL ELSE ['França', 'Alemanha', 'Espanha'][i % 3 + 1] END AS country,
    'customer ' || i AS name,
    i % 4 = 0 AS active,
    (i % 9)::DECIMAL(6, 2) / 4 AS rate,
    CASE WHEN i % 3 = 0 THEN 'sim' ELSE 'não' END AS churned
  FROM range(5000) t(i)`;

async function records(path: string, shard?: { index: number; count: number }) {
  const source = await openTable(path, { shard });
  const rows: string[][] = [];
  for await (const batch of source.batches(1000)) rows.push(...batch);
  source.close();
  return { source, rows };
}

describe('reading Parquet', () => {
  it.each(CODECS)('reads %s files of several row groups as their CSV export', async (codec) => {
    const path = at(`table-${codec}.parquet`);
    await writeParquet(TABLE, path, { codec, rowGroupRows: 2048 });
    const layout = await parquetLayout(path);
    expect(layout.rowGroups).toBeGreaterThan(1);
    expect([...layout.codecs]).toEqual([codec.toUpperCase()]);
    expect(layout.encodings.get('country')).toMatch(/DICTIONARY/);

    await writeCsv(TABLE, at('table.csv'));
    const expected = await openCsv(at('table.csv'));
    const expectedRows: string[][] = [];
    for await (const batch of expected.batches(1000)) expectedRows.push(...batch);

    const { source, rows } = await records(path);
    expect(source.header).toEqual(expected.header);
    // DuckDB writes numbers its own way ("1.00", "-2998.0"): compare them as numbers.
    const numeric = source.header.map((column) => source.kinds!.get(column) === 'numeric');
    const sameNumber = (row: string[]) =>
      row.map((cell, c) => (numeric[c] && cell !== '' ? String(Number(cell)) : cell));
    expect(rows.map(sameNumber)).toEqual(expectedRows.map(sameNumber));
    expect(rows[0]).toEqual(['0', '', '', '0', '', 'customer 0', 'true', '0', 'sim']);
    expect(source.fingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('maps strings, dictionaries and booleans to categories, numbers to numbers', async () => {
    const { source } = await records(at('table-snappy.parquet'));
    expect(Object.fromEntries(source.kinds!)).toEqual({
      id: 'numeric',
      age: 'numeric',
      balance: 'numeric',
      products: 'numeric',
      country: 'categorical',
      name: 'categorical',
      active: 'categorical',
      rate: 'numeric',
      churned: 'categorical',
    });
  });

  it('keeps a string column of digits a category, as its Parquet type says', async () => {
    const path = at('zip.parquet');
    await writeParquet(
      `SELECT lpad((i % 4)::VARCHAR, 5, '0') AS zip, i % 2 AS y FROM range(200) t(i)`,
      path,
    );
    const table = await readLabelledTable(path, { target: 'y', id: null, positiveLabel: null });
    expect(table.schema.features).toMatchObject([
      { name: 'zip', kind: 'categorical', categories: ['00000', '00001', '00002', '00003'] },
    ]);
  });

  it('reads dates as days and timestamps as seconds since 1970-01-01', async () => {
    const path = at('dates.parquet');
    await writeParquet(
      `SELECT DATE '2024-01-02' AS day, TIMESTAMP '2024-01-02 00:00:30' AS moment`,
      path,
    );
    const { rows } = await records(path);
    expect(rows).toEqual([['19724', String(19724 * 86400 + 30)]]);
  });

  it('tells Parquet from CSV by content, whatever the name', async () => {
    copyFileSync(at('table-zstd.parquet'), at('looks-like.csv'));
    expect((await records(at('looks-like.csv'))).rows).toHaveLength(5000);
    writeFileSync(at('really.parquet'), 'a,b\n1,2\n');
    expect((await records(at('really.parquet'))).rows).toEqual([['1', '2']]);
  });

  it('cuts shards of rows that together are the file, in order', async () => {
    const { rows } = await records(at('table-gzip.parquet'));
    for (const count of [1, 2, 3, 7]) {
      const shards = [];
      for (let index = 0; index < count; index++) {
        shards.push((await records(at('table-gzip.parquet'), { index, count })).rows);
      }
      expect(shards.flat()).toEqual(rows);
      for (const shard of shards) expect(Math.abs(shard.length - 5000 / count)).toBeLessThan(1);
    }
  });

  it('refuses nested columns, a damaged file and Parquet on standard input, naming them', async () => {
    const nested = at('nested.parquet');
    await writeParquet(`SELECT 1 AS id, [1, 2] AS tags`, nested);
    await expect(openTable(nested)).rejects.toThrow(
      /nested\.parquet, column "tags": is a nested or repeated Parquet column/,
    );
    writeFileSync(at('damaged.parquet'), Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7)]));
    await expect(openTable(at('damaged.parquet'))).rejects.toThrow(
      /damaged\.parquet: is not a readable Parquet file/,
    );
    const stdin = Readable.from([Buffer.from('PAR1\u0000\u0001')]);
    await expect(openTable('-', { stdin })).rejects.toThrow(
      /standard input: is Parquet, which is read from a file/,
    );
  });
});
