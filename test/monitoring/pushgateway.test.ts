import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { groupUrl, redactUrl } from '../../src/monitoring/pushgateway.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { PUSHGATEWAY } from '../helpers/monitoring-binaries.js';
import { requires } from '../helpers/prerequisites.js';
import {
  freePort,
  onlyChurn,
  promtoolProblems,
  sampleValue,
  silentServer,
  startPushgateway,
  type Gateway,
} from '../helpers/pushgateway.js';

describe('Pushgateway addresses', () => {
  it('encode grouping values, with base64 for slashes and empty values', () => {
    expect(
      groupUrl('http://gw:9091/', 'churn_train', [
        ['instance', 'a b'],
        ['path', 'x/y'],
        ['shard', ''],
      ]),
    ).toBe('http://gw:9091/metrics/job/churn_train/instance/a%20b/path@base64/eC95/shard@base64/=');
  });

  it('hide credentials when shown', () => {
    expect(redactUrl('https://ana:s3cret@gw.example:9091/base')).toBe(
      'https://***@gw.example:9091/base',
    );
    expect(redactUrl('http://gw:9091')).toBe('http://gw:9091');
  });
});

requires(
  PUSHGATEWAY,
  'what train, predict and retrain push to a real Pushgateway, and promtool check metrics on it',
).describe('jobs pushing to a real Pushgateway', () => {
  let gateway: Gateway;
  let dir: { path: string; remove: () => void };
  beforeAll(async () => {
    gateway = await startPushgateway();
  });
  afterAll(async () => {
    await gateway?.stop();
  });
  beforeEach(() => {
    dir = tempDir();
    copySampleProject(dir.path);
  });
  afterEach(() => dir.remove());

  const churn = (args: string[], env: Record<string, string> = {}) =>
    runChurn([...args, '--quiet'], { cwd: dir.path, env, timeoutMs: 60_000 });

  it("pushes train's health under its job and the champion's figures under the champion's group, lint-clean", async () => {
    const trained = await churn([
      'train',
      '--trees',
      '20',
      '--json',
      '--pushgateway',
      gateway.url,
      '--instance',
      'host-a',
    ]);
    expect(trained.code).toBe(0);
    const { version, metrics } = JSON.parse(trained.stdout);
    const pushed = await gateway.churnMetrics();
    const home = JSON.parse(
      readFileSync(join(dir.path, 'outputs', 'metrics', 'state.json'), 'utf8'),
    ).home;
    expect(home).toMatch(/^[\w.-]+-[0-9a-f]{6}$/);
    const champion = { job: 'churn_champion', instance: 'host-a', home };
    expect(sampleValue(pushed, 'churn_model_roc_auc', champion)).toBeCloseTo(metrics.rocAuc, 12);
    expect(sampleValue(pushed, 'churn_model_f2_score', champion)).toBeCloseTo(metrics.f2, 12);
    expect(sampleValue(pushed, 'churn_model_threshold', champion)).toBeCloseTo(
      metrics.threshold,
      12,
    );
    expect(sampleValue(pushed, 'churn_training_samples', champion)).toBe(5100);
    expect(sampleValue(pushed, 'churn_model_info', { ...champion, version, trees: '20' })).toBe(1);
    // train's own group carries its run's health, and no model figures that could compete.
    const train = { job: 'churn_train', instance: 'host-a', home };
    expect(sampleValue(pushed, 'churn_job_last_success_timestamp_seconds', train)).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
    expect(sampleValue(pushed, 'churn_job_cpu_seconds', train)).toBeGreaterThan(0);
    expect(sampleValue(pushed, 'churn_job_peak_memory_bytes', train)).toBeGreaterThan(20e6);
    expect(sampleValue(pushed, 'churn_job_failures_total', train)).toBe(0);
    expect(sampleValue(pushed, 'churn_model_roc_auc', { job: 'churn_train' })).toBeNull();
    expect(promtoolProblems(pushed)).toBe('');
    for (const job of ['churn_train', 'churn_champion']) {
      const textfile = readFileSync(join(dir.path, 'outputs', 'metrics', `${job}.prom`), 'utf8');
      expect(promtoolProblems(textfile), job).toBe('');
    }
    const textfile = readFileSync(
      join(dir.path, 'outputs', 'metrics', 'churn_champion.prom'),
      'utf8',
    );
    expect(sampleValue(textfile, 'churn_model_roc_auc')).toBeCloseTo(metrics.rocAuc, 12);
  });

  it('counts predictions over runs, and a failed run keeps the last good metrics with its failure time', async () => {
    expect((await churn(['train', '--trees', '10'])).code).toBe(0);
    const env = { CHURN_PUSHGATEWAY_URL: gateway.url };
    const group = { job: 'churn_predict', instance: 'counting' };
    const first = await churn(['predict', '--instance', 'counting', '--json'], env);
    expect(first.code).toBe(0);
    expect(sampleValue(await gateway.churnMetrics(), 'churn_predictions_total', group)).toBe(2000);
    expect((await churn(['predict', '--instance', 'counting'], env)).code).toBe(0);
    const afterTwo = await gateway.churnMetrics();
    expect(sampleValue(afterTwo, 'churn_predictions_total', group)).toBe(4000);
    const { riskLevels } = JSON.parse(first.stdout);
    expect(
      sampleValue(afterTwo, 'churn_predictions_by_risk_level', { ...group, level: 'high' }),
    ).toBe(riskLevels.high);
    expect(sampleValue(afterTwo, 'churn_prediction_score_count', group)).toBe(2000);
    expect(promtoolProblems(afterTwo)).toBe('');

    const failed = await churn(['predict', '--instance', 'counting', '--data', 'missing.csv'], env);
    expect(failed.code).toBe(2);
    const afterFailure = await gateway.churnMetrics();
    expect(sampleValue(afterFailure, 'churn_predictions_total', group)).toBe(4000);
    expect(
      sampleValue(afterFailure, 'churn_predictions_by_risk_level', { ...group, level: 'high' }),
    ).toBe(riskLevels.high);
    expect(
      sampleValue(afterFailure, 'churn_job_last_failure_timestamp_seconds', group),
    ).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(sampleValue(afterFailure, 'churn_job_failures_total', group)).toBe(1);
    // The next good run replaces the group, and keeps the failures counted.
    expect((await churn(['predict', '--instance', 'counting'], env)).code).toBe(0);
    const afterRecovery = await gateway.churnMetrics();
    expect(sampleValue(afterRecovery, 'churn_predictions_total', group)).toBe(6000);
    expect(sampleValue(afterRecovery, 'churn_job_failures_total', group)).toBe(1);
    expect(
      sampleValue(afterRecovery, 'churn_job_last_failure_timestamp_seconds', group),
    ).toBeNull();
    const textfile = readFileSync(
      join(dir.path, 'outputs', 'metrics', 'churn_predict.prom'),
      'utf8',
    );
    expect(sampleValue(textfile, 'churn_predictions_total')).toBe(6000);
    expect(sampleValue(textfile, 'churn_job_failures_total')).toBe(1);
    expect(promtoolProblems(textfile)).toBe('');
  });

  it('finishes its job when the gateway is down or never answers, and fails with --strict-push', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const silent = await silentServer();
    const env = { CHURN_PUSHGATEWAY_TIMEOUT_SECONDS: '1', CHURN_PUSHGATEWAY_RETRIES: '1' };
    try {
      for (const url of [down, silent.url]) {
        const started = Date.now();
        const relaxed = await runChurn(['train', '--trees', '10', '--pushgateway', url], {
          cwd: dir.path,
          env,
        });
        expect(relaxed.code).toBe(0);
        expect(relaxed.stderr).toMatch(
          /warn.*pushing to http:\/\/127\.0\.0\.1:\d+ failed after 2 attempts/i,
        );
        const strict = await runChurn(
          ['train', '--trees', '10', '--quiet', '--strict-push', '--pushgateway', url],
          {
            cwd: dir.path,
            env,
          },
        );
        expect(strict.code).toBe(3);
        expect(strict.stderr).toMatch(/^error: pushing to .* failed after 2 attempts/m);
        expect(Date.now() - started).toBeLessThan(30_000);
      }
    } finally {
      await silent.close();
    }
  });

  it('never shows credentials in output or logs', async () => {
    const secretUrl = gateway.url.replace('http://', 'http://ana:hunter2@');
    const silent = await silentServer();
    try {
      const result = await runChurn(
        [
          'train',
          '--trees',
          '10',
          '--log-level',
          'debug',
          '--pushgateway',
          silent.url.replace('http://', 'http://ana:hunter2@'),
        ],
        {
          cwd: dir.path,
          env: {
            CHURN_PUSHGATEWAY_TIMEOUT_SECONDS: '0.5',
            CHURN_PUSHGATEWAY_RETRIES: '0',
            CHURN_PUSHGATEWAY_TOKEN: 'tok-123',
          },
        },
      );
      expect(result.code).toBe(0);
      const pushed = await runChurn(['train', '--trees', '10', '--pushgateway', secretUrl], {
        cwd: dir.path,
      });
      expect(pushed.code).toBe(0);
      const logs = join(dir.path, 'logs');
      const logText = (await import('node:fs'))
        .readdirSync(logs)
        .map((name) => readFileSync(join(logs, name), 'utf8'))
        .join('');
      for (const text of [result.stdout, result.stderr, pushed.stdout, pushed.stderr, logText]) {
        expect(text).not.toContain('hunter2');
        expect(text).not.toContain('tok-123');
      }
      expect(onlyChurn(await (await fetch(`${gateway.url}/metrics`)).text())).toContain(
        'churn_model_roc_auc',
      );
    } finally {
      await silent.close();
    }
  });

  it('exports the champion and the running totals on demand, failing when a requested push fails', async () => {
    expect((await churn(['train', '--trees', '10'])).code).toBe(0);
    expect((await churn(['predict'])).code).toBe(0);
    const printed = await churn(['export-metrics']);
    expect(printed.code).toBe(0);
    expect(promtoolProblems(printed.stdout)).toBe('');
    expect(sampleValue(printed.stdout, 'churn_predictions_total')).toBe(2000);
    const pushed = await churn([
      'export-metrics',
      '--pushgateway',
      gateway.url,
      '--textfile',
      'ci.prom',
    ]);
    expect(pushed.code).toBe(0);
    // Pushed as the champion's own group, as a promotion publishes it.
    expect(
      sampleValue(await gateway.churnMetrics(), 'churn_model_roc_auc', {
        job: 'churn_champion',
        instance: '',
      }),
    ).toBe(sampleValue(printed.stdout, 'churn_model_roc_auc'));
    expect(promtoolProblems(readFileSync(join(dir.path, 'ci.prom'), 'utf8'))).toBe('');
    const failed = await runChurn(
      ['export-metrics', '--quiet', '--pushgateway', `http://127.0.0.1:${await freePort()}`],
      {
        cwd: dir.path,
        env: { CHURN_PUSHGATEWAY_RETRIES: '0' },
      },
    );
    expect(failed.code).toBe(3);
  });

  it('pushes the outcome counter of retrain under its job, and the champion only when it changes', async () => {
    expect((await churn(['train', '--trees', '10'])).code).toBe(0);
    const env = { CHURN_PUSHGATEWAY_URL: gateway.url };
    const kept = await churn(
      ['retrain', '--data', 'data/new_batch_1.csv', '--min-improvement', '1', '--json'],
      env,
    );
    expect(kept.code).toBe(0);
    const pushed = await gateway.churnMetrics();
    const group = { job: 'churn_retrain', instance: '' };
    expect(sampleValue(pushed, 'churn_retraining_total', { ...group, outcome: 'kept' })).toBe(1);
    for (const outcome of ['promoted', 'unchanged']) {
      expect(sampleValue(pushed, 'churn_retraining_total', { ...group, outcome })).toBe(0);
    }
    expect(sampleValue(pushed, 'churn_model_info', group)).toBeNull();
    expect(sampleValue(pushed, 'churn_job_last_success_timestamp_seconds', group)).not.toBeNull();
    expect(promtoolProblems(pushed)).toBe('');

    const promoted = await churn(
      ['retrain', '--data', 'data/new_batch_2.csv', '--min-improvement', '-1', '--json'],
      env,
    );
    expect(promoted.code).toBe(0);
    const { challenger } = JSON.parse(promoted.stdout);
    const champion = { job: 'churn_champion', instance: '' };
    expect(
      sampleValue(await gateway.churnMetrics(), 'churn_model_info', {
        ...champion,
        version: challenger.version,
      }),
    ).toBe(1);
  });
});
