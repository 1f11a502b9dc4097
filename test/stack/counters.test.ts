/**
 * Counters that stay counters, against the real Pushgateway and Prometheus: the sequence of the
 * issue, two working directories (the demo's and the user's) pushing their running totals of
 * customers scored, 8000, then 4000, then 16000. Each directory is a home with a `home` label of
 * its own, so each series only goes up and Prometheus sums them; the same numbers pushed the old
 * way, to one group, are shown going backwards, which is what the check would catch.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stopLocalStack } from '../../scripts/stack/local.js';
import { instantQuery, waitForSeries } from '../../scripts/stack/prometheus-api.js';
import { push } from '../../src/monitoring/pushgateway.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { MONITORING_STACK } from '../helpers/monitoring-binaries.js';
import { requires } from '../helpers/prerequisites.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

requires(
  MONITORING_STACK,
  'running totals pushed from two homes to a live Pushgateway and Prometheus',
).describe('running totals pushed from two homes', () => {
  const scratch = tempDir();
  let stack: TestStack;
  const homes: Record<'user' | 'demo', string> = { user: '', demo: '' };

  const churn = (project: string, args: string[]) =>
    runChurn([...args, '--quiet', '--strict-push'], {
      cwd: project,
      env: { CHURN_PUSHGATEWAY_URL: stack.url('pushgateway') },
      timeoutMs: 120_000,
    });

  /** Waits until Prometheus has scraped `expr` (a filter such as `… == 8000`). */
  async function scraped(expr: string): Promise<void> {
    const found = await waitForSeries(stack.url('prometheus'), expr, 30_000);
    expect(found.length, expr).toBeGreaterThan(0);
  }

  beforeAll(async () => {
    stack = await startTestStack(join(scratch.path, 'monitoring'));
    const project = (name: 'user' | 'demo') => {
      const dir = join(scratch.path, name);
      mkdirSync(dir);
      copySampleProject(dir);
      return dir;
    };
    const user = project('user');
    const demo = project('demo');
    for (const dir of [user, demo]) {
      for (const [rows, file] of [
        ['8000', 'data/big.csv'],
        ['4000', 'data/half.csv'],
      ]) {
        const generated = await runChurn(
          ['generate', '--rows', rows, '--seed', '5', '--out', file, '--quiet'],
          { cwd: dir },
        );
        expect(generated.code, generated.stderr).toBe(0);
      }
      const trained = await churn(dir, ['train', '--trees', '10']);
      expect(trained.code, trained.stderr).toBe(0);
    }
    const state = (dir: string) =>
      JSON.parse(readFileSync(join(dir, 'outputs', 'metrics', 'state.json'), 'utf8'))
        .home as string;
    homes.user = state(user);
    homes.demo = state(demo);

    const predict = async (dir: string, file: string) => {
      const result = await churn(dir, ['predict', '--data', file, '--out', 'outputs/p.csv']);
      expect(result.code, result.stderr).toBe(0);
    };
    await predict(user, 'data/big.csv');
    await scraped(`churn_predictions_total{home="${homes.user}"} == 8000`);
    await predict(demo, 'data/half.csv');
    await scraped(`churn_predictions_total{home="${homes.demo}"} == 4000`);
    await predict(user, 'data/big.csv');
    await scraped(`churn_predictions_total{home="${homes.user}"} == 16000`);

    for (const dir of [user, demo]) {
      const retrained = await churn(dir, ['retrain', '--data', 'data/new_batch_1.csv']);
      expect(retrained.code, retrained.stderr).toBe(0);
    }
    await scraped(`sum(churn_retraining_total) == 2`);

    // The same totals pushed the old way: one group for both directories.
    const target = {
      url: stack.url('pushgateway'),
      job: 'old_style',
      grouping: [],
      timeoutMs: 5000,
      retries: 0,
    };
    for (const total of [8000, 4000, 16000]) {
      await push(
        target,
        'PUT',
        `# TYPE churn_predictions_total counter\nchurn_predictions_total ${total}\n`,
      );
      await scraped(`churn_predictions_total{job="old_style"} == ${total}`);
    }
  }, 300_000);

  afterAll(async () => {
    if (stack) await stopLocalStack(stack.context.dir);
    scratch.remove();
  });

  const query = (expr: string) => instantQuery(stack.url('prometheus'), expr);

  it('gives each home a series of its own that never went backwards', async () => {
    expect(homes.user).not.toBe(homes.demo);
    const resets = await query('resets(churn_predictions_total{job="churn_predict"}[10m])');
    expect(Object.fromEntries(resets.map((s) => [s.metric.home, s.value]))).toEqual({
      [homes.user]: 0,
      [homes.demo]: 0,
    });
    const over = async (fn: string) =>
      Object.fromEntries(
        (await query(`${fn}(churn_predictions_total{job="churn_predict"}[10m])`)).map((s) => [
          s.metric.home,
          s.value,
        ]),
      );
    expect(await over('min_over_time')).toEqual({ [homes.user]: 8000, [homes.demo]: 4000 });
    expect(await over('max_over_time')).toEqual({ [homes.user]: 16000, [homes.demo]: 4000 });
  });

  it('sums the homes to every customer scored, and every retraining outcome', async () => {
    expect((await query('sum(churn_predictions_total{job="churn_predict"})'))[0].value).toBe(20000);
    const outcomes = await query('sum by (outcome) (churn_retraining_total)');
    expect(outcomes.reduce((sum, sample) => sum + sample.value, 0)).toBe(2);
  });

  it('would have caught the old single group going backwards', async () => {
    const resets = await query('resets(churn_predictions_total{job="old_style"}[10m])');
    expect(resets.map((s) => s.value)).toEqual([1]);
  });
});
