/**
 * The whole monitoring path with the real Debian binaries: the stack starts as
 * `npm run monitoring:up` starts it (on free loopback ports), train, predict and retrain push,
 * churn serve answers customers and is scraped, and every dashboard query, alert and route is
 * checked against what Prometheus then holds.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DASHBOARDS } from '../../scripts/dashboards/definitions.js';
import {
  localStackStatus,
  serviceUrl,
  startLocalStack,
  stopLocalStack,
  type ServiceState,
  type StackSelection,
} from '../../scripts/stack/local.js';
import {
  apiGet,
  instantQuery,
  rangeQuery,
  waitForSeries,
} from '../../scripts/stack/prometheus-api.js';
import { SERVICES, type ServiceName } from '../../scripts/stack/services.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { MONITORING_STACK } from '../helpers/monitoring-binaries.js';
import { requires } from '../helpers/prerequisites.js';
import {
  csvAsCustomers,
  postJson,
  startServeProcess,
  type ServeProcess,
} from '../helpers/serve.js';
import { startTestStack } from '../helpers/stack.js';

const EXPECTED_FIRING = [
  'BatchJobFailed', // the failed predict run below
  'FeatureDrift', // idade in new_batch_2
  'HighRiskCustomersSpike', // 27% of new_batch_2 at high risk
  'LowF2Score', // the sample model's F2 is 0.69
  'ScoreDrift',
];

requires(
  MONITORING_STACK,
  'the local stack started, every dashboard query, alert and route against a live Prometheus, restarts and stops',
).describe('the monitoring stack, live', () => {
  const scratch = tempDir();
  const project = join(scratch.path, 'project');
  let context: StackSelection;
  let services: ServiceState[];
  let api: ServeProcess | undefined;
  /** Predictions churn serve answered with 200. */
  let served = 0;
  const url = (name: ServiceName) => serviceUrl(context, name);

  beforeAll(async () => {
    let apiPort: number;
    ({ context, services, apiPort } = await startTestStack(join(scratch.path, 'monitoring')));

    mkdirSync(project);
    copySampleProject(project);
    // Up before the first model, as a deployment starts: it serves the champion once trained.
    api = await startServeProcess(project, ['--port', String(apiPort)]);
    const push = { cwd: project, env: { CHURN_PUSHGATEWAY_URL: url('pushgateway') } };
    const steps = [
      ['train', '--quiet'],
      ['predict', '--data', 'data/new_batch_1.csv', '--out', 'outputs/p1.csv', '--quiet'],
      ['predict', '--data', 'data/new_batch_2.csv', '--out', 'outputs/p2.csv', '--quiet'],
      ['retrain', '--data', 'data/new_batch_1.csv', '--quiet'],
      // Labels arrive for the second batch: the champion's live figures, whichever won.
      ['evaluate', '--data', 'data/new_batch_2.csv', '--quiet'],
    ];
    for (const args of steps) {
      const result = await runChurn([...args, '--strict-push'], push);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(0);
    }
    const failed = await runChurn(['predict', '--data', 'data/missing.csv', '--quiet'], push);
    expect(failed.code).toBe(2);

    // Clients of the API for a few seconds, over several scrapes: customers one at a time and
    // in batches, and a few mistakes of theirs (4xx).
    const customers = csvAsCustomers(join(project, 'data', 'new_batch_2.csv'));
    const until = Date.now() + 4000;
    for (let i = 0; Date.now() < until; i++) {
      const ok = await postJson(api.url, i % 5 === 0 ? customers.slice(0, 100) : customers[i]);
      expect(ok.status).toBe(200);
      served++;
      if (i % 10 === 0) expect((await postJson(api.url, { idade: 40 })).status).toBe(422);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await fetch(`${api.url}/nowhere`)).status).toBe(404);

    const prometheus = url('prometheus');
    await waitForSeries(prometheus, 'churn_api_requests_total{status="404"}', 30_000);
    await waitForSeries(
      prometheus,
      'churn_job_last_success_timestamp_seconds{job="churn_retrain"}',
      30_000,
    );
    await waitForSeries(
      prometheus,
      'churn_job_last_failure_timestamp_seconds{job="churn_predict"}',
      30_000,
    );
    await waitForSeries(
      prometheus,
      'ALERTS{alertname="BatchJobFailed",alertstate="firing"}',
      30_000,
    );
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    if (context) await stopLocalStack(context.dir);
    scratch.remove();
  });

  it('runs every service ready, with Prometheus scraping each and every rule healthy', async () => {
    const status = await localStackStatus(context);
    expect(Object.fromEntries(status.map((service) => [service.name, service.ready]))).toEqual({
      pushgateway: true,
      'alert-log': true,
      alertmanager: true,
      prometheus: true,
    });
    const health = async () => {
      const { activeTargets } = await apiGet<{
        activeTargets: Array<{ labels: { job: string }; health: string }>;
      }>(new URL('/api/v1/targets', url('prometheus')));
      return Object.fromEntries(activeTargets.map((target) => [target.labels.job, target.health]));
    };
    // A target reads "unknown" until its first scrape, which a loaded machine can delay.
    let seen = await health();
    for (let wait = 0; Object.values(seen).includes('unknown') && wait < 60; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      seen = await health();
    }
    expect(seen).toEqual({
      pushgateway: 'up',
      prometheus: 'up',
      alertmanager: 'up',
      churn_api: 'up',
    });
    const { groups } = await apiGet<{
      groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>;
    }>(new URL('/api/v1/rules', url('prometheus')));
    const all = groups.flatMap((group) => group.rules);
    expect(all.length).toBeGreaterThanOrEqual(9);
    for (const rule of all) expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok');
  });

  for (const [file, dashboard] of Object.entries(DASHBOARDS)) {
    it(`finds data behind every query and annotation of ${file}`, async () => {
      const queries = [
        ...dashboard.panels.flatMap((panel) =>
          panel.queries.map((query) => ({ ...query, title: panel.title })),
        ),
        ...(dashboard.annotations ?? []).map((annotation) => ({
          expr: annotation.expr,
          instant: false,
          title: `annotation ${annotation.name}`,
        })),
      ];
      for (const query of queries) {
        const expr = query.expr.replaceAll('$__range', '1h');
        const run = () =>
          query.instant
            ? instantQuery(url('prometheus'), expr)
            : rangeQuery(url('prometheus'), expr, 600, 1);
        // Rates need two scrapes of a series; on a loaded machine the second may lag a little.
        let found = await run();
        for (let wait = 0; found.length === 0 && wait < 40; wait++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          found = await run();
        }
        expect(found.length, `${dashboard.title} / ${query.title}: ${expr}`).toBeGreaterThan(0);
        for (const sample of found)
          expect(Number.isFinite(sample.value), `${query.title}: ${expr}`).toBe(true);
      }
    });
  }

  it('shows what the runs did in the panels that sum them up', async () => {
    const prometheus = url('prometheus');
    const value = async (expr: string) =>
      (await instantQuery(prometheus, expr)).map((s) => s.value);
    expect(await value('sum(churn_predictions_total)')).toEqual([4000]);
    expect(await value('sum(churn_predictions_by_risk_level)')).toEqual([2000]);
    const outcomes = await instantQuery(prometheus, 'sum by (outcome) (churn_retraining_total)');
    expect(outcomes.reduce((sum, sample) => sum + sample.value, 0)).toBe(1);
    const failing = await instantQuery(
      prometheus,
      DASHBOARDS['batch-jobs.json'].panels.find((panel) => panel.title === 'Last run')!.queries[0]
        .expr,
    );
    expect(Object.fromEntries(failing.map((sample) => [sample.metric.job, sample.value]))).toEqual({
      churn_train: 0,
      churn_predict: 1,
      churn_retrain: 0,
      churn_evaluate: 0,
    });
  });

  it('holds what churn serve answered, and the champion it serves', async () => {
    const prometheus = url('prometheus');
    const value = async (expr: string) =>
      (await instantQuery(prometheus, expr)).map((s) => s.value);
    expect(await value('sum(churn_api_requests_total{route="/predict",status="200"})')).toEqual([
      served,
    ]);
    expect(await value('sum(churn_api_requests_total{status="422"})')).toEqual([
      Math.ceil(served / 10),
    ]);
    const champion = JSON.parse(
      readFileSync(join(project, 'outputs', 'models', 'champion.json'), 'utf8'),
    ).version;
    const info = await instantQuery(prometheus, 'churn_model_info{job="churn_api"}');
    expect(info.map((sample) => sample.metric.version)).toEqual([champion]);
  });

  it('fires the alerts the sample runs call for, and no others', async () => {
    const firing = await waitForSeries(
      url('prometheus'),
      'ALERTS{alertstate="firing",alertname="ScoreDrift"}',
      10_000,
    ).then(() => instantQuery(url('prometheus'), 'ALERTS{alertstate="firing"}'));
    expect([...new Set(firing.map((alert) => alert.metric.alertname))].sort()).toEqual(
      EXPECTED_FIRING,
    );
    const drift = firing.filter((alert) => alert.metric.alertname === 'FeatureDrift');
    // new_batch_2.csv's ages drifted: scored by predict, then evaluated when its labels came.
    expect(drift.map((alert) => `${alert.metric.job} ${alert.metric.feature}`).sort()).toEqual([
      'churn_evaluate idade',
      'churn_predict idade',
    ]);
    // The model's alert follows the champion's own group alone, whatever train and retrain pushed.
    const weak = firing.filter((alert) => alert.metric.alertname === 'LowF2Score');
    expect(weak.map((alert) => alert.metric.job)).toEqual(['churn_champion']);
  });

  it('hands the firing alerts to Alertmanager', async () => {
    const deadline = Date.now() + 20_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      const alerts = (await (await fetch(`${url('alertmanager')}/api/v2/alerts`)).json()) as Array<{
        labels: { alertname: string; severity: string };
      }>;
      names = [...new Set(alerts.map((alert) => alert.labels.alertname))].sort();
      if (names.length >= EXPECTED_FIRING.length) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(names).toEqual(EXPECTED_FIRING);
  });

  it('logs the notifications its webhook receives, one line per alert', async () => {
    const notification = {
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'BatchJobFailed', severity: 'critical', job: 'churn_predict' },
          annotations: { description: 'The last run of churn_predict failed.' },
          startsAt: '2026-11-27T01:00:00Z',
        },
      ],
    };
    const response = await fetch(`${url('alert-log')}/alerts`, {
      method: 'POST',
      body: JSON.stringify(notification),
    });
    expect(response.status).toBe(200);
    expect(readFileSync(join(context.dir, 'alerts.log'), 'utf8')).toContain(
      '2026-11-27T01:00:00Z FIRING critical BatchJobFailed job=churn_predict: The last run of churn_predict failed.',
    );
    const junk = await fetch(`${url('alert-log')}/alerts`, { method: 'POST', body: '{not json' });
    expect(junk.status).toBe(400);
  });

  it('restarts only what stopped, and the Pushgateway keeps its metrics in its store', async () => {
    const gateway = services.find((service) => service.name === 'pushgateway')!;
    process.kill(gateway.pid!, 'SIGTERM');
    while ((await localStackStatus(context)).find((s) => s.name === 'pushgateway')!.pid !== null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const again = await startLocalStack({ ...context, interval: '1s' });
    expect(Object.fromEntries(again.map((service) => [service.name, service.started]))).toEqual({
      pushgateway: true,
      'alert-log': false,
      alertmanager: false,
      prometheus: false,
    });
    const text = await (await fetch(`${url('pushgateway')}/metrics`)).text();
    expect(text).toMatch(/^churn_predictions_total\{.*job="churn_predict".*\} 4000$/m);
  });

  it('refuses a port already taken, naming it and the variable that moves it', async () => {
    const other = { dir: join(scratch.path, 'other'), ports: { ...context.ports } };
    await expect(startLocalStack(other)).rejects.toThrow(
      `port ${context.ports.pushgateway} is taken, so Pushgateway cannot listen there`,
    );
    await expect(startLocalStack(other)).rejects.toThrow('PUSHGATEWAY_PORT=PORT');
  });

  it('names every missing binary and the command that installs it', async () => {
    const bare = { dir: join(scratch.path, 'bare'), ports: context.ports, path: '/nonexistent' };
    await expect(startLocalStack(bare)).rejects.toThrow(
      'not installed: prometheus-pushgateway, prometheus-alertmanager, prometheus. ' +
        'On Debian or Ubuntu: sudo apt-get install prometheus-pushgateway prometheus-alertmanager prometheus',
    );
  });

  it('stops every service and frees its port', async () => {
    const stopped = await stopLocalStack(context.dir);
    expect(stopped.map((service) => service.name).sort()).toEqual(
      SERVICES.filter((spec) => !spec.optional)
        .map((spec) => spec.name)
        .sort(),
    );
    const status = await localStackStatus(context);
    expect(status.every((service) => service.pid === null && !service.ready)).toBe(true);
    for (const spec of SERVICES) {
      expect(existsSync(join(context.dir, `${spec.name}.pid`))).toBe(false);
    }
    await expect(fetch(`${url('prometheus')}/-/ready`)).rejects.toThrow();
  });
});
