/**
 * The champion's performance when labels arrive, against the real Pushgateway, Prometheus and the
 * shipped alert rules: `churn evaluate` publishes live figures equal to those computed from
 * predict's own probabilities, `ModelPerformanceDegraded` fires on a batch whose reasons for
 * leaving changed and not on a fresh one, and `LowF2Score` holds one series without a gap through
 * retrains that keep the champion (the flap of the issue); retraining the same batch again changes
 * nothing but the count of its outcome.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stopLocalStack } from '../../scripts/stack/local.js';
import {
  apiGet,
  instantQuery,
  waitForRuleEvaluation,
  waitForSeries,
} from '../../scripts/stack/prometheus-api.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { MONITORING_STACK } from '../helpers/monitoring-binaries.js';
import { requires } from '../helpers/prerequisites.js';
import { readSimpleCsv } from '../../support/simple-csv.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

requires(
  MONITORING_STACK,
  'churn evaluate against a live Pushgateway and Prometheus: live figures, ModelPerformanceDegraded, and LowF2Score through retrains',
).describe('the champion on labelled batches, live', () => {
  const scratch = tempDir();
  const project = join(scratch.path, 'project');
  let stack: TestStack;
  const churn = (args: string[]) =>
    runChurn([...args, '--quiet'], {
      cwd: project,
      env: { CHURN_PUSHGATEWAY_URL: stack.url('pushgateway') },
      timeoutMs: 120_000,
    });
  const prometheus = () => stack.url('prometheus');
  const firing = (alert: string) =>
    instantQuery(prometheus(), `ALERTS{alertname="${alert}",alertstate="firing"}`);
  /** The alerts once every rule has been evaluated on what is scraped now. */
  const settled = async (alert: string) => {
    await new Promise((resolve) => setTimeout(resolve, 2000)); // a scrape of the gateway
    await waitForRuleEvaluation(prometheus(), new Date(), 30_000);
    return firing(alert);
  };
  let lowF2Since = 0;

  beforeAll(async () => {
    stack = await startTestStack(join(scratch.path, 'monitoring'));
    mkdirSync(project);
    copySampleProject(project);
    for (const args of [
      ['train', '--strict-push'],
      ['generate', '--rows', '2000', '--seed', '31', '--drift', '1', '--concept-drift', '1'],
      ['predict', '--data', 'data/new_batch_1.csv', '--out', 'outputs/p1.csv', '--strict-push'],
    ]) {
      const full = args[0] === 'generate' ? [...args, '--out', 'data/degraded.csv'] : args;
      const result = await churn(full);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(0);
    }
    await waitForSeries(prometheus(), 'ALERTS{alertname="LowF2Score",alertstate="firing"}', 30_000);
    lowF2Since = Date.now() / 1000;
  }, 300_000);

  afterAll(async () => {
    if (stack) await stopLocalStack(stack.context.dir);
    scratch.remove();
  });

  it('publishes the live figures of the evaluation, equal to those of predict’s own probabilities', async () => {
    const evaluated = await churn([
      'evaluate',
      '--data',
      'data/new_batch_1.csv',
      '--json',
      '--strict-push',
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const { version } = JSON.parse(evaluated.stdout);
    const [live] = await waitForSeries(
      prometheus(),
      `churn_live_roc_auc{job="churn_champion"} * on (job, instance, home) group_left (version) churn_live_info{job="churn_champion",version="${version}"}`,
      30_000,
    );
    // Independently: ROC AUC as the share of (churned, stayed) pairs predict's scores rank right.
    const outcome = new Map(
      readSimpleCsv(join(project, 'data', 'new_batch_1.csv')).map((row) => [
        row.id_cliente,
        row.saiu,
      ]),
    );
    const rows = readSimpleCsv(join(project, 'outputs', 'p1.csv'));
    const left = rows
      .filter((row) => outcome.get(row.id_cliente) === '1')
      .map((row) => Number(row.churn_probability));
    const stayed = rows
      .filter((row) => outcome.get(row.id_cliente) === '0')
      .map((row) => Number(row.churn_probability));
    let right = 0;
    for (const a of left) for (const b of stayed) right += a > b ? 1 : a === b ? 0.5 : 0;
    expect(live.value).toBeCloseTo(right / (left.length * stayed.length), 4);
    const [ownJob] = await instantQuery(prometheus(), 'churn_live_roc_auc{job="churn_evaluate"}');
    expect(ownJob.value).toBe(live.value);

    expect(await settled('ModelPerformanceDegraded')).toEqual([]);
  });

  it('fires ModelPerformanceDegraded on a batch whose reasons for leaving changed, and clears on a fresh one', async () => {
    expect((await churn(['evaluate', '--data', 'data/degraded.csv', '--strict-push'])).code).toBe(
      0,
    );
    const [alert] = await waitForSeries(
      prometheus(),
      'ALERTS{alertname="ModelPerformanceDegraded",alertstate="firing"}',
      30_000,
    );
    expect(alert.metric).toMatchObject({
      job: 'churn_champion',
      metric: 'ROC AUC',
      severity: 'warning',
    });
    expect(
      (await churn(['evaluate', '--data', 'data/new_batch_2.csv', '--strict-push'])).code,
    ).toBe(0);
    expect(await settled('ModelPerformanceDegraded')).toEqual([]);
  });

  it('keeps LowF2Score one series, without a gap, through retrains that keep the champion', async () => {
    for (const batch of ['data/new_batch_1.csv', 'data/new_batch_2.csv']) {
      const kept = await churn([
        'retrain',
        '--data',
        batch,
        '--min-improvement',
        '1',
        '--json',
        '--strict-push',
      ]);
      expect(JSON.parse(kept.stdout).outcome, kept.stderr).toBe('kept');
    }
    await settled('LowF2Score');
    const url = new URL('/api/v1/query_range', prometheus());
    url.searchParams.set('query', 'ALERTS{alertname="LowF2Score",alertstate="firing"}');
    url.searchParams.set('start', String(lowF2Since));
    url.searchParams.set('end', String(Date.now() / 1000));
    url.searchParams.set('step', '1');
    const { result } = await apiGet<{
      result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
    }>(url);
    expect(result.map((series) => series.metric.job)).toEqual(['churn_champion']);
    const times = result[0].values.map(([time]) => time);
    const steps = Math.floor(times.at(-1)! - times[0]) + 1;
    expect(times.length, 'a firing alert at every step since it first fired').toBe(steps);
  });

  it('changes nothing when the same batch is retrained again, but counts the run', async () => {
    const CHAMPION_NOW =
      'churn_live_evaluated_timestamp_seconds{job="churn_champion"} or churn_model_info{job="churn_champion"}';
    const registry = () => readdirSync(join(project, 'outputs', 'models')).sort();
    const before = registry();
    const base = readFileSync(join(project, 'data', 'train.csv'), 'utf8');
    const data = readdirSync(join(project, 'data')).sort();
    const championNow = async () =>
      (await instantQuery(prometheus(), CHAMPION_NOW))
        .map((sample) => JSON.stringify(sample))
        .sort();
    const champion = await championNow();
    expect(champion).toHaveLength(2);
    const again = await churn([
      'retrain',
      '--data',
      'data/new_batch_2.csv',
      '--json',
      '--strict-push',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).outcome).toBe('unchanged');
    expect(registry()).toEqual(before);
    expect(readFileSync(join(project, 'data', 'train.csv'), 'utf8')).toBe(base);
    expect(readdirSync(join(project, 'data')).sort()).toEqual(data); // no backup
    await waitForSeries(
      prometheus(),
      'churn_retraining_total{job="churn_retrain",outcome="unchanged"} == 1',
      30_000,
    );
    const outcomes = await instantQuery(prometheus(), 'sum by (outcome) (churn_retraining_total)');
    expect(
      Object.fromEntries(outcomes.map((sample) => [sample.metric.outcome, sample.value])),
    ).toEqual({ kept: 2, promoted: 0, unchanged: 1 });
    // The champion's group is as it was: the same model, its last evaluation not redone.
    expect(await championNow()).toEqual(champion);
  });
});
