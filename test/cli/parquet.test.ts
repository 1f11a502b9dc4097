/**
 * Parquet through the commands, with real processes: training on DuckDB's Parquet copy of a CSV
 * grows the model the CSV grows, scoring it writes the CSV's output byte for byte, and retrain
 * takes its new rows as Parquet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { readWithDuckDb, writeParquet } from '../helpers/parquet.js';

const dir = tempDir();
afterAll(() => dir.remove());
const churn = (args: string[]) =>
  runChurn([...args, '--quiet'], { cwd: dir.path, timeoutMs: 120_000 });
const data = (name: string) => join(dir.path, 'data', name);
const fromCsv = (name: string) => `SELECT * FROM read_csv('${data(name)}', header = true)`;

function modelOf(version: string) {
  const { model } = JSON.parse(
    readFileSync(join(dir.path, 'outputs', 'models', version, 'model.json'), 'utf8'),
  );
  return {
    schema: model.schema,
    threshold: model.threshold,
    reference: model.scoreReference,
    forest: model.forest,
  };
}

beforeAll(async () => {
  copySampleProject(dir.path);
  await writeParquet(fromCsv('train.csv'), data('train.parquet'), {
    codec: 'zstd',
    rowGroupRows: 2048,
  });
  await writeParquet(fromCsv('new_batch_1.csv'), data('new_batch_1.parquet'), {
    rowGroupRows: 1024,
  });
}, 60_000);

describe('Parquet in the commands', () => {
  it('trains on the Parquet copy of a CSV the very model the CSV trains', async () => {
    const runs = [];
    for (const file of ['train.csv', 'train.parquet']) {
      const run = await churn(['train', '--data', `data/${file}`, '--trees', '25', '--json']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      runs.push(JSON.parse(run.stdout));
    }
    expect(runs[1].metrics).toEqual(runs[0].metrics);
    expect(modelOf(runs[1].version)).toEqual(modelOf(runs[0].version));
  }, 240_000);

  it('scores a Parquet file into the bytes the CSV gives', async () => {
    for (const [file, out] of [
      ['new_batch_1.csv', 'from-csv.csv'],
      ['new_batch_1.parquet', 'from-parquet.csv'],
    ]) {
      const run = await churn([
        'predict',
        '--data',
        `data/${file}`,
        '--out',
        out,
        '--keep-columns',
      ]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
    }
    const csv = readFileSync(join(dir.path, 'from-csv.csv'));
    expect(readFileSync(join(dir.path, 'from-parquet.csv')).equals(csv)).toBe(true);
  }, 120_000);

  it('writes Parquet for --out x.parquet: the rows of the CSV output, typed, as DuckDB reads them', async () => {
    const run = await churn([
      'predict',
      '--data',
      'data/new_batch_1.csv',
      '--out',
      'scored.parquet',
      '--keep-columns',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const parquet = join(dir.path, 'scored.parquet');
    const types = await readWithDuckDb(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${parquet}'))`,
    );
    expect(Object.fromEntries(types)).toMatchObject({
      id_cliente: 'VARCHAR',
      churn_probability: 'DOUBLE',
      churn_predicted: 'INTEGER',
      risk_level: 'VARCHAR',
    });
    // DuckDB's CSV of the Parquet rows is churn's own CSV output, value for value.
    const rows = await readWithDuckDb(`SELECT * FROM read_parquet('${parquet}')`);
    const csv = readFileSync(join(dir.path, 'from-csv.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.map((row) => row.map((v) => (v === null ? '' : String(v))).join(','))).toEqual(csv);
  }, 120_000);

  it('retrains on new rows given as Parquet, and refuses a Parquet base it would rewrite', async () => {
    const run = await churn(['retrain', '--data', 'data/new_batch_1.parquet', '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout).rows).toMatchObject({ new: 2000 });
    const refused = await churn([
      'retrain',
      '--data',
      'data/new_batch_1.csv',
      '--base',
      'data/train.parquet',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/train\.parquet: is Parquet, but the base file is rewritten/);
  }, 240_000);
});
