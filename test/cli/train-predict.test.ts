import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeatureDrift } from '../../src/evaluation/index.js';
import { CHURN_BIN, copySampleProject, REPO_ROOT, runChurn, tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
  copySampleProject(dir.path);
});
afterEach(() => dir.remove());

const churn = (args: string[], timeoutMs = 60_000) => runChurn(args, { cwd: dir.path, timeoutMs });

function readCsv(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','));
}

/** The shipped data as a spreadsheet in another locale would save it. */
function messyCopy(from: string, to: string): void {
  const [header, ...rows] = readFileSync(join(dir.path, 'data', from), 'utf8')
    .trim()
    .split('\n');
  const target = header.split(',').indexOf('saiu');
  const balance = header.split(',').indexOf('saldo_conta');
  const lines = rows.map((line, i) => {
    const cells = line.split(',');
    cells[target] = cells[target] === '1' ? 'Yes' : 'No';
    if (i % 7 === 0) cells[balance] = '';
    return cells.join(';');
  });
  const text = [header.replaceAll(',', ';'), ...lines].join('\r\n') + '\r\n';
  writeFileSync(join(dir.path, 'data', to), '\ufeff' + text);
}

describe('churn train and predict', () => {
  it('trains on the shipped data with no flags and scores a new batch with the champion', async () => {
    const trained = await churn(['train', '--json']);
    expect(trained.stderr).not.toMatch(/error/);
    expect(trained.code).toBe(0);
    const result = JSON.parse(trained.stdout);
    expect(Object.keys(result).sort()).toEqual([
      'calibration',
      'metrics',
      'modelPath',
      'samples',
      'trainingSeconds',
      'tuning',
      'version',
    ]);
    expect(result.calibration).toEqual({
      method: 'platt',
      brierScore: expect.any(Number),
      logLoss: expect.any(Number),
    });
    expect(result.tuning).toBeNull();
    expect(Object.keys(result.metrics).sort()).toEqual(
      ['accuracy', 'f1', 'f2', 'precision', 'recall', 'rocAuc', 'threshold'].sort(),
    );
    expect(result.samples).toBe(5100);
    expect(result.metrics.rocAuc).toBeGreaterThan(0.8);
    expect(result.trainingSeconds).toBeGreaterThan(0);
    const metadata = JSON.parse(
      readFileSync(join(dir.path, 'outputs', 'models', result.version, 'metadata.json'), 'utf8'),
    );
    expect(metadata.metrics).toEqual(result.metrics);
    expect(metadata.data).toMatchObject({ rowsRead: 6000, trainRows: 5100, holdoutRows: 900 });

    const scored = await churn(['predict', '--data', 'data/new_batch_1.csv', '--json']);
    expect(scored.code).toBe(0);
    const prediction = JSON.parse(scored.stdout);
    expect(Object.keys(prediction).sort()).toEqual(
      [
        'averageScore',
        'drift',
        'durationSeconds',
        'modelVersion',
        'out',
        'riskLevels',
        'rows',
      ].sort(),
    );
    expect(prediction).toMatchObject({ rows: 2000, modelVersion: result.version });
    // A fresh batch from the training distribution has not drifted on any feature, by any figure.
    expect(Object.keys(prediction.drift.features).sort()).toEqual(
      Object.keys(metadata.featureImportances).sort(),
    );
    for (const feature of Object.values(prediction.drift.features) as FeatureDrift[]) {
      expect(feature.psi).toBeLessThan(0.1);
      expect(feature.distance).toBeLessThan(0.05);
      expect(feature.drifted).toBe(false);
    }
    expect(prediction.drift).toMatchObject({ share: 0, detected: false });
    expect(prediction.drift.score).toBeLessThan(0.1);
    // The shipped drifted batch (generated with --drift 0.5) is reported as drifted: age, balance
    // and country by their distances, a third of the features, not the batch as a whole.
    const drifted = await churn([
      'predict',
      '--data',
      'data/new_batch_2.csv',
      '--out',
      'd.csv',
      '--json',
    ]);
    expect(drifted.code).toBe(0);
    const driftedReport = JSON.parse(drifted.stdout).drift;
    expect(driftedReport.features.idade).toMatchObject({ method: 'wasserstein', drifted: true });
    expect(driftedReport.features.idade.psi).toBeGreaterThan(0.25);
    expect(driftedReport.features.pais).toMatchObject({ method: 'jensenshannon', drifted: true });
    expect(
      Object.entries(driftedReport.features as Record<string, FeatureDrift>)
        .filter(([, feature]) => feature.drifted)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['idade', 'pais', 'saldo_conta']);
    expect(driftedReport).toMatchObject({ share: 0.3333, detected: false });
    expect(drifted.stderr).toMatch(
      /WARN .*new_batch_2\.csv drifted from the training data: idade PSI [\d.]+, churn score PSI [\d.]+ \(above 0\.25\)/,
    );
    expect(drifted.stderr).not.toMatch(/drifted as a whole/);
    const { low, medium, high } = prediction.riskLevels;
    expect(low + medium + high).toBe(2000);

    const [header, ...rows] = readCsv(join(dir.path, 'outputs', 'predictions.csv'));
    expect(header).toEqual(['id_cliente', 'churn_probability', 'churn_predicted', 'risk_level']);
    expect(rows).toHaveLength(2000);
    const ids = readCsv(join(dir.path, 'data', 'new_batch_1.csv'))
      .slice(1)
      .map((row) => row[0]);
    expect(rows.map((row) => row[0])).toEqual(ids);
    let sum = 0;
    const threshold = result.metrics.threshold;
    for (const [, probability, predicted, level] of rows) {
      const p = Number(probability);
      sum += p;
      expect(p >= 0 && p <= 1).toBe(true);
      expect(predicted).toBe(p >= threshold ? '1' : '0');
      // By default medium risk starts at the threshold and high risk at 0.5: no customer
      // predicted to churn is low risk.
      expect(level).toBe(
        p >= Math.max(0.5, threshold) ? 'high' : p >= threshold ? 'medium' : 'low',
      );
      if (predicted === '1') expect(level).not.toBe('low');
    }
    expect(rows.some((row) => row[2] === '1')).toBe(true);
    expect(sum / 2000).toBeCloseTo(prediction.averageScore, 4);
    expect(rows.filter((row) => row[3] === 'high')).toHaveLength(high);

    const listed = await churn(['models', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        version: result.version,
        createdAt: expect.any(String),
        champion: true,
        metrics: result.metrics,
      },
    ]);
  });

  it('reads a BOM, semicolons, CRLF, a Yes/No target and blank numbers, and keeps the ids', async () => {
    messyCopy('train.csv', 'messy.csv');
    messyCopy('new_batch_1.csv', 'messy_new.csv');
    const trained = await churn([
      'train',
      '--data',
      'data/messy.csv',
      '--target',
      'saiu',
      '--id',
      'id_cliente',
      '--trees',
      '30',
      '--json',
    ]);
    // Nothing about the file; the forest of 30 trees may be weak by quality.minF2, which is said.
    const weak = /^.* WARN +the champion \S+ is weak on its holdout rows: .*$/m;
    expect(trained.stderr.replace(weak, '')).not.toMatch(/warn|error/i);
    expect(trained.code).toBe(0);
    const version = JSON.parse(trained.stdout).version;
    const model = JSON.parse(
      readFileSync(join(dir.path, 'outputs', 'models', version, 'model.json'), 'utf8'),
    ).model;
    expect(model.schema.labels).toEqual({ positive: 'Yes', negative: 'No' });
    const balance = model.schema.features.find((f: { name: string }) => f.name === 'saldo_conta');
    expect(balance.kind).toBe('numeric');
    expect(balance.reference.missing).toBeCloseTo(1 / 7, 2);

    const scored = await churn([
      'predict',
      '--data',
      'data/messy_new.csv',
      '--out',
      'scored.csv',
      '--keep-columns',
      '--json',
    ]);
    expect(scored.code).toBe(0);
    const [header, first] = readCsv(join(dir.path, 'scored.csv'));
    const original = readCsv(join(dir.path, 'data', 'new_batch_1.csv'));
    expect(header).toEqual([...original[0], 'churn_probability', 'churn_predicted', 'risk_level']);
    expect(first[0]).toBe(original[1][0]);
    expect(first[original[0].indexOf('saiu')]).toMatch(/^(Yes|No)$/);
  });

  it('checks a scoring file against the model: all missing columns in one error, unseen categories as missing', async () => {
    expect((await churn(['train', '--trees', '10', '--quiet'])).code).toBe(0);
    const rows = readCsv(join(dir.path, 'data', 'new_batch_1.csv'));
    const drop = ['idade', 'pais'].map((name) => rows[0].indexOf(name));
    writeFileSync(
      join(dir.path, 'short.csv'),
      rows.map((row) => row.filter((_, i) => !drop.includes(i)).join(',')).join('\n'),
    );
    const missing = await churn(['predict', '--data', 'short.csv', '--out', 'out.csv', '--quiet']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(
      /short\.csv, line 1: lacks the model's feature columns "pais", "idade"/,
    );
    expect(readdirSync(dir.path)).not.toContain('out.csv');

    const country = rows[0].indexOf('pais');
    writeFileSync(
      join(dir.path, 'abroad.csv'),
      rows
        .map((row, i) => (i > 0 && i <= 5 ? row.with(country, 'Itália') : row).join(','))
        .join('\n'),
    );
    const unseen = await churn(['predict', '--data', 'abroad.csv', '--out', 'out.csv']);
    expect(unseen.code).toBe(0);
    expect(unseen.stderr).toMatch(
      /5 row\(s\) of abroad\.csv have pais values the model never saw \("Itália"\)/,
    );
    expect(readCsv(join(dir.path, 'out.csv'))).toHaveLength(2001);

    const same = await churn(['predict', '--data', 'abroad.csv', '--out', 'abroad.csv']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/is the input file/);
  });

  it('leaves no half version when training dies while writing the model', async () => {
    const killed = await new Promise<string | null>((resolve) => {
      const preload = join(REPO_ROOT, 'test', 'helpers', 'die-mid-save.mjs');
      const child = spawn(process.execPath, ['--import', preload, CHURN_BIN, 'train', '--quiet'], {
        cwd: dir.path,
      });
      child.on('close', (_code, signal) => resolve(signal));
    });
    expect(killed).toBe('SIGKILL');
    const models = join(dir.path, 'outputs', 'models');
    const leftovers = readdirSync(models);
    expect(leftovers.filter((name) => name.endsWith('.tmp'))).toHaveLength(1);
    const listed = await churn(['models', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    const predict = await churn(['predict', '--data', 'data/new_batch_1.csv']);
    expect(predict.code).toBe(2);
    expect(predict.stderr).toMatch(/no champion model/);

    expect((await churn(['train', '--trees', '10', '--quiet'])).code).toBe(0);
    expect(readdirSync(models).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('lists, shows, promotes and prunes versions', async () => {
    const versions: string[] = [];
    for (const seed of ['1', '2', '3']) {
      const trained = await churn(['train', '--trees', '10', '--seed', seed, '--json']);
      versions.push(JSON.parse(trained.stdout).version);
    }
    const promoted = await churn(['models', 'promote', versions[0]]);
    expect(promoted.code).toBe(0);
    const shown = await churn(['models', 'show', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ version: versions[0], champion: true });
    const unknown = await churn(['models', 'promote', '20200101-000000-000-abcd']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no model version "20200101-000000-000-abcd"/);
    const pruned = await churn(['models', 'prune', '--keep', '1', '--json']);
    expect(JSON.parse(pruned.stdout)).toEqual({ removed: [versions[1]] });
    const listed = JSON.parse((await churn(['models', 'list', '--json'])).stdout);
    expect(listed.map((entry: { version: string }) => entry.version)).toEqual([
      versions[2],
      versions[0],
    ]);
  });

  it('honours --delimiter, --categorical, --numeric and --positive-label, and names a bad target in one line', async () => {
    const rows = readCsv(join(dir.path, 'data', 'train.csv'));
    const target = rows[0].indexOf('saiu');
    const tabbed = rows.map((row, i) =>
      (i === 0 ? row : row.with(target, row[target] === '1' ? 'Closed' : 'Open')).join('\t'),
    );
    writeFileSync(join(dir.path, 'tabbed.txt'), tabbed.join('\n'));
    const trained = await churn([
      'train',
      '--data',
      'tabbed.txt',
      '--delimiter',
      'tab',
      '--positive-label',
      'closed',
      '--categorical',
      'numero_produtos,anos_cliente',
      '--numeric',
      'idade',
      '--trees',
      '10',
      '--json',
    ]);
    expect(trained.code).toBe(0);
    const { version } = JSON.parse(trained.stdout);
    const model = JSON.parse(
      readFileSync(join(dir.path, 'outputs', 'models', version, 'model.json'), 'utf8'),
    ).model;
    const kinds = Object.fromEntries(
      model.schema.features.map((f: { name: string; kind: string }) => [f.name, f.kind]),
    );
    expect(kinds).toMatchObject({
      numero_produtos: 'categorical',
      anos_cliente: 'categorical',
      idade: 'numeric',
    });
    expect(model.schema.labels).toEqual({ positive: 'Closed', negative: 'Open' });

    const unlabelled = await churn(['train', '--data', 'tabbed.txt', '--quiet']);
    expect(unlabelled.code).toBe(2);
    expect(unlabelled.stderr.trim().split('\n')).toHaveLength(1);
    expect(unlabelled.stderr).toMatch(
      /tabbed\.txt, column "saiu": values "(Open|Closed)", "(Open|Closed)" are not a known yes\/no pair/,
    );
  });
});
