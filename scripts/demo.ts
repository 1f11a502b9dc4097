/**
 * `npm run demo`, the instructor's one command: start the monitoring stack, then in a scratch
 * project under outputs/demo/ train on the sample data, score both later batches, retrain (the
 * batch jobs push), serve the champion with `churn serve` and put load on it (Prometheus pulls
 * its metrics), and show where to look and what Prometheus already knows. In a terminal the
 * server keeps answering, for the API health dashboard, until Ctrl-C. It all fits in one deadline
 * (DEMO_TIMEOUT_SECONDS, 300 by default): about 20 s on a quiet machine, and a clear error naming
 * what it waited for, rather than a silent wait, on a loaded one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHAMPION_JOB } from './dashboards/queries.js';
import { stackDir, startStack, type StackUrls } from './monitoring.js';
import { customerBodies, formatResult, loadTest } from './load-test.js';
import { copySampleProject } from './sample-project.js';
import {
  activeAlerts,
  instantQuery,
  waitForRuleEvaluation,
  waitForSeries,
  type Sample,
} from './stack/prometheus-api.js';
import { REPOSITORY_ROOT } from './stack/services.js';
import { Deadline, seconds, StackError, StopWaiting, waitFor } from './stack/wait.js';

/** The demo's scratch project (DEMO_DIR, or outputs/demo of the clone), made anew each run. */
const DEMO_DIR = process.env.DEMO_DIR
  ? resolve(process.env.DEMO_DIR)
  : join(REPOSITORY_ROOT, 'outputs', 'demo');
const CHURN = join(REPOSITORY_ROOT, 'bin', 'churn.js');

/** A scratch project: retrain rewrites its training file, which must not be the shipped one. */
function prepareProject(): void {
  rmSync(DEMO_DIR, { recursive: true, force: true });
  copySampleProject(DEMO_DIR);
}

export function demoDeadline(env: NodeJS.ProcessEnv = process.env): Deadline {
  const raw = env.DEMO_TIMEOUT_SECONDS;
  const limit = raw === undefined || raw === '' ? 300 : Number(raw);
  if (!Number.isFinite(limit) || limit <= 0) {
    throw new StackError(
      `DEMO_TIMEOUT_SECONDS must be a number of seconds, got ${JSON.stringify(raw)}`,
    );
  }
  return new Deadline(
    limit * 1000,
    `a busy machine may need longer: DEMO_TIMEOUT_SECONDS=${limit * 3} npm run demo`,
  );
}

/** Runs a command in the terminal within what is left of the deadline; `shown` names it. */
export function run(
  shown: string,
  [file, ...args]: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
  deadline: Deadline,
): void {
  const timeout = deadline.left();
  const result = spawnSync(file, args, { ...options, stdio: 'inherit', timeout });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new StackError(
      `${shown} was still running when the demo's ${seconds(deadline.totalMs)} ran out ` +
        `(it had ${seconds(timeout)}), so it was stopped. Next: ${deadline.remedy}`,
    );
  }
  if (result.status !== 0) {
    throw new StackError(
      `${shown} exited with code ${result.status ?? result.signal}: its error is above. ` +
        `Next: fix it and rerun npm run demo (the project is in ${DEMO_DIR}).`,
    );
  }
}

function churn(title: string, args: string[], pushgateway: string, deadline: Deadline): void {
  console.log(`\n── ${title}\n$ churn ${args.join(' ')}`);
  const env = {
    ...process.env,
    CHURN_PUSHGATEWAY_URL: pushgateway,
    // Colour through the pipe, unless the terminal asked for none.
    ...(process.env.NO_COLOR ? {} : { FORCE_COLOR: process.env.FORCE_COLOR ?? '1' }),
  };
  run(`churn ${args[0]}`, [process.execPath, CHURN, ...args], { cwd: DEMO_DIR, env }, deadline);
}

/** Requests of the demo's load on churn serve: 10 connections, each sending the same 200 customers once. */
const API_REQUESTS = 2000;

interface DemoServer {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then waits for it to finish its requests and exit. */
  stop(): Promise<void>;
}

/** `churn serve` in the demo project, on CHURN_SERVE_PORT (8000 by default), as the stack scrapes it. */
async function serveChampion(deadline: Deadline): Promise<DemoServer> {
  console.log('\n── Serve the champion over HTTP: Prometheus pulls its metrics\n$ churn serve');
  const child = spawn(process.execPath, [CHURN, 'serve', '--quiet'], {
    cwd: DEMO_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let printed = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
  const url = await waitFor(
    'churn serve to print where it listens',
    async () => {
      if (child.exitCode !== null) {
        throw new StopWaiting(
          `churn serve exited with code ${child.exitCode}: its error is above. Next: if the ` +
            'port is taken, CHURN_SERVE_PORT=8001 npm run demo (the stack scrapes that port too)',
        );
      }
      return /serving on (http:\/\/\S+)/.exec(printed)?.[1];
    },
    { timeoutMs: 60_000, deadline, next: 'see its log in the demo project (logs/)' },
  );
  process.stdout.write(printed);
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function loadTheApi(server: DemoServer): Promise<void> {
  console.log(
    `\n── Customers one at a time, from 10 clients\n$ npm run load-test -- --amount ${API_REQUESTS}`,
  );
  const result = await loadTest({
    url: server.url,
    bodies: customerBodies(join(DEMO_DIR, 'data', 'new_batch_1.csv'), 1),
    connections: 10,
    duration: 10,
    amount: API_REQUESTS,
  });
  console.log(formatResult(result, 1));
}

/**
 * What Prometheus knows of the demo's own runs: their groups carry the demo project's home label,
 * so a tutorial reader's project pushing to the same gateway is not mixed in.
 */
function liveQueries(home: string): Array<[string, string, (sample: Sample) => string]> {
  const own = `home="${home}"`;
  return [
    [
      'F2 of the model in use',
      `churn_model_f2_score{job="${CHAMPION_JOB}",${own}}`,
      (s) => s.value.toFixed(3),
    ],
    [
      'ROC AUC of the model in use',
      `churn_model_roc_auc{job="${CHAMPION_JOB}",${own}}`,
      (s) => s.value.toFixed(3),
    ],
    [
      'Last batch by risk level',
      `sum by (level) (churn_predictions_by_risk_level{${own}})`,
      (s) => `${s.metric.level} ${s.value}`,
    ],
    ['Customers scored, all runs', `sum(churn_predictions_total{${own}})`, (s) => String(s.value)],
    [
      'Most drifted features (PSI)',
      `topk(3, churn_feature_drift_psi{${own}})`,
      (s) => `${s.metric.feature} ${s.value.toFixed(3)}`,
    ],
    [
      'Retraining outcomes',
      `sum by (outcome) (churn_retraining_total{${own}})`,
      (s) => `${s.metric.outcome} ${s.value}`,
    ],
    ['Model the API serves', 'churn_model_info{job="churn_api"}', (s) => s.metric.version],
    [
      'API predictions answered',
      'sum by (status) (churn_api_requests_total{job="churn_api",route="/predict"})',
      (s) => `${s.value} (status ${s.metric.status})`,
    ],
    [
      'API customers by risk level',
      'sum by (level) (churn_api_predictions_total{job="churn_api"})',
      (s) => `${s.metric.level} ${s.value}`,
    ],
  ];
}

async function main(): Promise<void> {
  const deadline = demoDeadline();
  if (!existsSync(join(REPOSITORY_ROOT, 'dist', 'cli', 'main.js'))) {
    console.log('building churn (npm run build) …');
    run('npm run build', ['npm', 'run', 'build'], { cwd: REPOSITORY_ROOT }, deadline);
  }
  console.log('── Starting the monitoring stack');
  const { urls } = await startStack(process.argv.includes('--local'), deadline);
  prepareProject();
  const push = urls.pushgateway;
  churn('Train on the sample data (6000 customers)', ['train'], push, deadline);
  churn(
    'Score a batch like the training data',
    ['predict', '--data', 'data/new_batch_1.csv', '--out', 'outputs/predictions_1.csv'],
    push,
    deadline,
  );
  churn(
    'Score a batch that has drifted (older customers, more churn)',
    ['predict', '--data', 'data/new_batch_2.csv', '--out', 'outputs/predictions_2.csv'],
    push,
    deadline,
  );
  churn(
    'Retrain with the labelled new batch',
    ['retrain', '--data', 'data/new_batch_2.csv'],
    push,
    deadline,
  );

  const api = await serveChampion(deadline);
  try {
    await loadTheApi(api);
    await showWhatPrometheusKnows(urls, api.url, deadline);
    await keepServing(api);
  } finally {
    await api.stop();
  }
}

async function showWhatPrometheusKnows(
  urls: StackUrls,
  apiUrl: string,
  deadline: Deadline,
): Promise<void> {
  console.log(
    '\n── Waiting for Prometheus to scrape the Pushgateway and churn serve, and evaluate the alert rules …',
  );
  const retrained = 'churn_job_last_success_timestamp_seconds{job="churn_retrain"}';
  await waitForSeries(urls.prometheus, retrained, 60_000, deadline);
  const answered = `sum(churn_api_requests_total{job="churn_api",route="/predict"}) >= ${API_REQUESTS}`;
  await waitForSeries(urls.prometheus, answered, 60_000, deadline);
  await waitForRuleEvaluation(urls.prometheus, new Date(), 60_000, deadline);
  const { home } = JSON.parse(
    readFileSync(join(DEMO_DIR, 'outputs', 'metrics', 'state.json'), 'utf8'),
  ) as { home: string };
  for (const [title, expr, show] of liveQueries(home)) {
    const found = await instantQuery(urls.prometheus, expr);
    console.log(
      `  ${title.padEnd(30)} ${found.length > 0 ? found.map(show).join(', ') : '(none yet)'}`,
    );
  }
  // The rule manager's own state: the ALERTS series can lag it by an evaluation after a restart.
  const alerts = (await activeAlerts(urls.prometheus)).map(
    (alert) => `${alert.labels.alertname} (${alert.state})`,
  );
  console.log(`  ${'Alerts'.padEnd(30)} ${[...new Set(alerts)].sort().join(', ') || '(none)'}`);

  console.log('\n── Where to look');
  console.log(`  Prometheus     ${urls.prometheus}/graph   alerts: ${urls.prometheus}/alerts`);
  console.log(`  Pushgateway    ${urls.pushgateway}`);
  console.log(`  Alertmanager   ${urls.alertmanager}`);
  console.log(
    urls.grafana
      ? `  Grafana        ${urls.grafana} (admin/admin), folder "churn"`
      : '  Grafana        not running: no grafana binary is installed (docs/stack.md says how)',
  );
  console.log(
    `  Alert log      ${join(stackDir(), 'alerts.log')} (notifications arrive after Alertmanager's 30 s group wait)`,
  );
  console.log(`  churn serve    ${apiUrl}/predict   metrics: ${apiUrl}/metrics`);
  console.log(`  The demo project: ${DEMO_DIR} (models, predictions, logs)`);
}

/**
 * In a terminal, the server goes on answering for the API health dashboard until Ctrl-C (which
 * reaches churn serve too: it answers what it has in flight and exits). Elsewhere it stops now.
 */
async function keepServing(api: DemoServer): Promise<void> {
  if (!process.stdout.isTTY) return;
  console.log(
    '\nchurn serve keeps answering for the API health dashboard: Ctrl-C stops it and the demo.',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    api.child.once('exit', () => resolve());
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
