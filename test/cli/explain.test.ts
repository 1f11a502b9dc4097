import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { BANK_CUSTOMER_COLUMNS } from '../../src/data/synthetic/bank-customers.js';

/** A project with the shipped data, a model trained on it, and a model trained on messier data. */
let dir: { path: string; remove: () => void };
const churn = (args: string[], timeoutMs = 120_000) => runChurn(args, { cwd: dir.path, timeoutMs });
/** The shipped data's features: every column but the id and the target. */
const FEATURES = BANK_CUSTOMER_COLUMNS.filter((name) => name !== 'id_cliente' && name !== 'saiu');

/** A value shown in a reason against the input's cell: the same number, or the same text. */
function sameValue(shown: string, given: string): boolean {
  return shown === given || (given.trim() !== '' && Number(shown) === Number(given));
}

function readRows(path: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, cells[i]]));
  });
}

/** The first `rows` rows of a shipped file, with some cells blanked, unknown or not numbers. */
function messyCopy(from: string, to: string, rows: number): void {
  const [header, ...lines] = readFileSync(join(dir.path, 'data', from), 'utf8')
    .trim()
    .split('\n');
  const names = header.split(',');
  const at = (name: string) => names.indexOf(name);
  const messy = lines.slice(0, rows).map((line, i) => {
    const cells = line.split(',');
    if (i % 5 === 0) cells[at('idade')] = '';
    if (i % 7 === 0) cells[at('pais')] = '';
    if (i % 11 === 0) cells[at('saldo_conta')] = 'n/a';
    if (i % 13 === 0 && from !== 'train.csv') cells[at('pais')] = 'Portugal';
    return cells.join(',');
  });
  writeFileSync(join(dir.path, 'data', to), [header, ...messy].join('\n') + '\n');
}

let model: string;
let messyModel: string;

beforeAll(async () => {
  dir = tempDir();
  copySampleProject(dir.path);
  const trained = await churn(['train', '--json', '--quiet']);
  expect(trained.code).toBe(0);
  model = JSON.parse(trained.stdout).version;
  messyCopy('train.csv', 'messy-train.csv', 6000);
  messyCopy('new_batch_1.csv', 'messy-score.csv', 400);
  const messy = await churn([
    'train',
    '--data',
    'data/messy-train.csv',
    '--models-dir',
    'messy-models',
    '--json',
    '--quiet',
  ]);
  expect(messy.code).toBe(0);
  messyModel = JSON.parse(messy.stdout).version;
  // A batch small enough for exact TreeSHAP to be quick on a busy machine.
  const shipped = readFileSync(join(dir.path, 'data', 'new_batch_1.csv'), 'utf8').split('\n');
  writeFileSync(join(dir.path, 'data', 'few.csv'), shipped.slice(0, 301).join('\n') + '\n');
}, 240_000);
afterAll(() => dir.remove());

/** Asserts base_value + the contributions = churn_probability, up to the six decimals shown. */
function expectAdditive(rows: Array<Record<string, string>>): void {
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    let sum = Number(row.base_value);
    for (const feature of FEATURES) sum += Number(row[`contribution_${feature}`]);
    expect(Math.abs(sum - Number(row.churn_probability))).toBeLessThan(1e-5);
  }
}

describe('churn predict --explain and --contributions', () => {
  it('adds the three strongest reasons, each the feature, its value and its signed contribution', async () => {
    const reasons = await churn([
      'predict',
      '--data',
      'data/few.csv',
      '--explain',
      '3',
      '--out',
      'reasons.csv',
    ]);
    expect(reasons.code).toBe(0);
    const contributions = await churn([
      'predict',
      '--data',
      'data/few.csv',
      '--contributions',
      '--out',
      'contributions.csv',
    ]);
    expect(contributions.code).toBe(0);
    const header = readFileSync(join(dir.path, 'reasons.csv'), 'utf8').split('\n')[0];
    expect(header).toBe(
      'id_cliente,churn_probability,churn_predicted,risk_level,' +
        'reason_1,reason_1_contribution,reason_2,reason_2_contribution,reason_3,reason_3_contribution',
    );
    const input = new Map(
      readRows(join(dir.path, 'data', 'few.csv')).map((r) => [r.id_cliente, r]),
    );
    const all = new Map(
      readRows(join(dir.path, 'contributions.csv')).map((r) => [r.id_cliente, r]),
    );
    expectAdditive([...all.values()]);
    const explained = readRows(join(dir.path, 'reasons.csv'));
    expect(explained).toHaveLength(300);
    for (const row of explained) {
      const full = all.get(row.id_cliente)!;
      expect(row.churn_probability).toBe(full.churn_probability);
      // The strongest three of every contribution, strongest first, with the input's values.
      const ranked = FEATURES.map((feature) => ({
        feature,
        contribution: Number(full[`contribution_${feature}`]),
      })).sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
      for (let k = 0; k < 3; k++) {
        const [feature, value] = row[`reason_${k + 1}`].split('=');
        expect(Math.abs(Number(row[`reason_${k + 1}_contribution`]))).toBeCloseTo(
          Math.abs(ranked[k].contribution),
          6,
        );
        expect(Number(row[`reason_${k + 1}_contribution`])).toBe(
          Number(full[`contribution_${feature}`]),
        );
        expect(sameValue(value, input.get(row.id_cliente)![feature])).toBe(true);
      }
    }
    // Age is the course data's strongest driver: it leads most customers' reasons.
    const ageFirst = explained.filter((row) => row.reason_1.startsWith('idade=')).length;
    expect(ageFirst).toBeGreaterThan(100);
  });

  it('gives the same columns on one thread as on workers, and the fast method adds up too', async () => {
    for (const threads of ['1', '2']) {
      const run = await churn([
        'predict',
        '--data',
        'data/few.csv',
        '--contributions',
        '--threads',
        threads,
        '--out',
        `threads-${threads}.csv`,
      ]);
      expect(run.code).toBe(0);
    }
    const one = readFileSync(join(dir.path, 'threads-1.csv'), 'utf8');
    expect(readFileSync(join(dir.path, 'threads-2.csv'), 'utf8')).toBe(one);

    const fast = await churn([
      'predict',
      '--contributions',
      '--explain-method',
      'fast',
      '--out',
      'fast.csv',
    ]);
    expect(fast.code).toBe(0);
    const rows = readRows(join(dir.path, 'fast.csv'));
    expect(rows).toHaveLength(2000);
    expectAdditive(rows);
    // A different method: some contributions differ from the exact ones of the same rows.
    const exact = new Map(readRows(join(dir.path, 'threads-1.csv')).map((r) => [r.id_cliente, r]));
    const differing = rows.filter((row) => {
      const other = exact.get(row.id_cliente);
      return other !== undefined && other.contribution_idade !== row.contribution_idade;
    });
    expect(differing.length).toBeGreaterThan(100);
  });

  it('names missing values and categories the model never saw as (missing), on a model trained with gaps', async () => {
    const run = await churn([
      'predict',
      '--data',
      'data/messy-score.csv',
      '--models-dir',
      'messy-models',
      '--model',
      messyModel,
      '--explain',
      '9',
      '--out',
      'messy.csv',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/pais values the model never saw \("Portugal"\)/);
    const input = new Map(
      readRows(join(dir.path, 'data', 'messy-score.csv')).map((r) => [r.id_cliente, r]),
    );
    const rows = readRows(join(dir.path, 'messy.csv'));
    expect(rows).toHaveLength(400);
    let missingShown = 0;
    for (const row of rows) {
      const cells = input.get(row.id_cliente)!;
      for (let k = 1; k <= 9; k++) {
        if (row[`reason_${k}`] === '') continue; // a feature that did not move this score
        const [feature, value] = row[`reason_${k}`].split('=');
        const given = cells[feature];
        const unread = given === '' || given === 'n/a' || given === 'Portugal';
        expect(sameValue(value, unread ? '(missing)' : given)).toBe(true);
        missingShown += unread ? 1 : 0;
      }
    }
    // Every fifth age is blank, and age matters: many reasons name a missing value.
    expect(missingShown).toBeGreaterThan(80);
  });

  it('refuses both forms at once, more reasons than features, and a model too old to explain, writing nothing', async () => {
    const both = await churn(['predict', '--explain', '2', '--contributions', '--out', 'no.csv']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--explain and --contributions/);
    const many = await churn(['predict', '--explain', '10', '--out', 'no.csv']);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/more reasons than the model has features \(9\)/);

    // The model as an older churn saved it: a version 1 forest, without covers.
    const path = join(dir.path, 'outputs', 'models', model, 'model.json');
    const text = readFileSync(path, 'utf8');
    const start = text.indexOf('"model":') + '"model":'.length;
    const document = JSON.parse(text);
    const forest = document.model.forest;
    forest.version = 1;
    delete forest.nodes.cover;
    const payload = JSON.stringify(document.model);
    const sha256 = createHash('sha256').update(payload).digest('hex');
    writeFileSync(
      path,
      `${text.slice(0, start).replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${sha256}"`)}${payload}}`,
    );
    const scored = await churn(['predict', '--data', 'data/few.csv', '--out', 'old.csv']);
    expect(scored.code).toBe(0);
    const old = await churn(['predict', '--explain', '3', '--out', 'no.csv']);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/model\.json: was saved by an older churn.*retrain the model/);
    expect(existsSync(join(dir.path, 'no.csv'))).toBe(false);
  });
});
