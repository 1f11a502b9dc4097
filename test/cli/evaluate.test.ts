import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { readSimpleCsv } from '../../support/simple-csv.js';

const scratch = tempDir();
const dir = scratch.path;
const churn = (args: string[]) => runChurn([...args, '--quiet'], { cwd: dir, timeoutMs: 60_000 });
let champion: string;

beforeAll(async () => {
  copySampleProject(dir);
  const trained = await churn(['train', '--trees', '30', '--json']);
  expect(trained.code, trained.stderr).toBe(0);
  champion = JSON.parse(trained.stdout).version;
  const generated = await churn([
    ...['generate', '--rows', '2000', '--seed', '31', '--drift', '1', '--concept-drift', '1'],
    ...['--out', 'data/degraded.csv'],
  ]);
  expect(generated.code, generated.stderr).toBe(0);
}, 120_000);
afterAll(() => scratch.remove());

/** ROC AUC by its definition: the share of (churned, stayed) pairs ranked right, ties half. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let right = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      right += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return right / pairs;
}

describe('churn evaluate', () => {
  it("measures the champion on a labelled batch with the probabilities predict gives, against its holdout's figures", async () => {
    const evaluated = await churn(['evaluate', '--data', 'data/new_batch_1.csv', '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const result = JSON.parse(evaluated.stdout);
    expect(Object.keys(result).sort()).toEqual(
      [
        'version',
        'champion',
        'batch',
        'file',
        'rowsRead',
        'rows',
        'churnRate',
        'live',
        'holdout',
        'degraded',
        'maxDrop',
        'drift',
        'durationSeconds',
      ].sort(),
    );
    expect(result).toMatchObject({
      version: champion,
      champion: true,
      batch: 'new_batch_1',
      file: 'data/new_batch_1.csv',
      rowsRead: 2000,
      rows: 2000,
      degraded: [],
      maxDrop: 0.05,
    });
    const metadata = JSON.parse(
      readFileSync(join(dir, 'outputs', 'models', champion, 'metadata.json'), 'utf8'),
    );
    expect(result.holdout).toEqual(metadata.metrics);

    // The same figures from predict's own output: its probabilities, the file's outcomes.
    expect(
      (await churn(['predict', '--data', 'data/new_batch_1.csv', '--out', 'p.csv'])).code,
    ).toBe(0);
    const outcome = new Map(
      readSimpleCsv(join(dir, 'data', 'new_batch_1.csv')).map((row) => [
        row.id_cliente,
        Number(row.saiu),
      ]),
    );
    const predicted = readSimpleCsv(join(dir, 'p.csv'));
    const labels = predicted.map((row) => outcome.get(row.id_cliente)!);
    const scores = predicted.map((row) => Number(row.churn_probability));
    // Probabilities are written to six decimals: the figures agree to that precision.
    expect(result.live.rocAuc).toBeCloseTo(pairwiseAuc(labels, scores), 4);
    const brier = labels.reduce((sum, y, i) => sum + (scores[i] - y) ** 2, 0) / labels.length;
    expect(result.live.brierScore).toBeCloseTo(brier, 5);
    const hits = predicted.filter(
      (row) => row.churn_predicted === '1' && outcome.get(row.id_cliente) === 1,
    ).length;
    const churned = labels.filter((y) => y === 1).length;
    expect(result.live.recall).toBeCloseTo(hits / churned, 12);
    expect(result.churnRate).toBeCloseTo(churned / labels.length, 12);
    expect(result.drift).toMatchObject({ share: 0, detected: false });
  });

  it('records every evaluation in the version’s history, and names a degraded figure', async () => {
    const degraded = await churn(['evaluate', '--data', 'data/degraded.csv', '--batch', 'winter']);
    expect(degraded.code, degraded.stderr).toBe(0);
    expect(degraded.stdout).toMatch(/degraded: ROC AUC more than 0\.05 below the holdout's/);
    const json = JSON.parse(
      (await churn(['evaluate', '--data', 'data/degraded.csv', '--batch', 'winter', '--json']))
        .stdout,
    );
    expect(json.degraded).toEqual(['rocAuc']);
    expect(json.holdout.rocAuc - json.live.rocAuc).toBeGreaterThan(0.05);
    expect(json.drift.detected).toBe(true);
    const warned = await runChurn(['evaluate', '--data', 'data/degraded.csv'], { cwd: dir });
    expect(warned.stderr).toMatch(
      new RegExp(
        `WARN .*${champion} performs worse on data/degraded\\.csv than on its holdout rows: ROC AUC [\\d.]+ against [\\d.]+, [\\d.]+ lower \\(more than quality\\.maxDrop 0\\.05\\): retrain it`,
      ),
    );

    const shown = JSON.parse((await churn(['models', 'show', '--json'])).stdout);
    const batches = (shown.evaluations as Array<{ batch: string; by: string }>).map((e) => e.batch);
    expect(batches.slice(-3)).toEqual(['winter', 'winter', 'degraded']);
    expect(shown.evaluations.every((e: { by: string }) => e.by === 'evaluate')).toBe(true);
    const human = await churn(['models', 'show']);
    expect(human.stdout).toMatch(/evaluated +batch +rows +ROC AUC +F2 +drift +by/);
    expect(human.stdout).toMatch(/winter +2,000 +0\.\d{4} -0\.\d{4}/);
    // The champion's group carries the newest evaluation, the job's group the run's own.
    const group = readFileSync(join(dir, 'outputs', 'metrics', 'churn_champion.prom'), 'utf8');
    expect(group).toMatch(/^churn_live_info\{version="[^"]+",batch="degraded"\} 1$/m);
    expect(group).toContain(`churn_live_roc_auc ${shown.evaluations.at(-1).metrics.rocAuc}\n`);
  });

  it('evaluates a version other than the champion, leaving the champion’s group alone', async () => {
    const before = readFileSync(join(dir, 'outputs', 'metrics', 'churn_champion.prom'), 'utf8');
    expect((await churn(['train', '--trees', '10', '--seed', '3'])).code).toBe(0);
    const afterTrain = readFileSync(join(dir, 'outputs', 'metrics', 'churn_champion.prom'), 'utf8');
    expect(afterTrain).not.toBe(before);
    expect(afterTrain).not.toContain('churn_live_'); // a new champion was never evaluated
    const old = JSON.parse(
      (await churn(['evaluate', '--data', 'data/new_batch_2.csv', '--model', champion, '--json']))
        .stdout,
    );
    expect(old).toMatchObject({ version: champion, champion: false });
    expect(readFileSync(join(dir, 'outputs', 'metrics', 'churn_champion.prom'), 'utf8')).toBe(
      afterTrain,
    );
    const job = readFileSync(join(dir, 'outputs', 'metrics', 'churn_evaluate.prom'), 'utf8');
    expect(job).toMatch(
      new RegExp(`^churn_live_info\\{version="${champion}",batch="new_batch_2"\\} 1$`, 'm'),
    );
  });

  it('skips rows whose outcome is missing, and refuses a batch it cannot judge the model on', async () => {
    const rows = readFileSync(join(dir, 'data', 'new_batch_1.csv'), 'utf8')
      .trim()
      .split('\n');
    const header = rows[0].split(',');
    const target = header.indexOf('saiu');
    const withTarget = (line: string, value: string) =>
      line
        .split(',')
        .map((cell, i) => (i === target ? value : cell))
        .join(',');
    writeFileSync(
      join(dir, 'partial.csv'),
      [rows[0], ...rows.slice(1).map((line, i) => (i < 100 ? withTarget(line, '') : line))].join(
        '\n',
      ),
    );
    const partial = JSON.parse(
      (await churn(['evaluate', '--data', 'partial.csv', '--json'])).stdout,
    );
    expect(partial).toMatchObject({ rowsRead: 2000, rows: 1900 });

    const stayed = rows.slice(1).filter((line) => line.split(',')[target] === '0');
    writeFileSync(join(dir, 'stayed.csv'), [rows[0], ...stayed].join('\n'));
    const single = await churn(['evaluate', '--data', 'stayed.csv']);
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(
      /^error: stayed\.csv, column "saiu": has only customers who stayed among its [\d,]+ labelled rows: ROC AUC and F2 need both$/m,
    );

    writeFileSync(
      join(dir, 'odd.csv'),
      [rows[0], withTarget(rows[1], 'maybe'), ...rows.slice(2)].join('\n'),
    );
    const odd = await churn(['evaluate', '--data', 'odd.csv']);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(
      /^error: odd\.csv, line 2, column "saiu": "maybe" is neither "1" \(churned\) nor "0", the model's target values$/m,
    );

    const unlabelled = header.filter((_, i) => i !== target);
    writeFileSync(
      join(dir, 'unlabelled.csv'),
      [
        unlabelled.join(','),
        ...rows.slice(1).map((line) =>
          line
            .split(',')
            .filter((_, i) => i !== target)
            .join(','),
        ),
      ].join('\n'),
    );
    const none = await churn(['evaluate', '--data', 'unlabelled.csv']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /unlabelled\.csv, line 1: has no column "saiu", the model's target/,
    );
  });
});
