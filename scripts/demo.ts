/**
 * `npm run demo`, the instructor's one command: start the monitoring stack, then in a scratch
 * project under outputs/demo/ train on the sample data, score both later batches, retrain, and
 * show where to look and what Prometheus already knows.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentModel } from './dashboards/queries.js';
import { startStack, STACK_DIR } from './monitoring.js';
import { StackError } from './stack/local.js';
import {
  activeAlerts,
  instantQuery,
  waitForRuleEvaluation,
  waitForSeries,
  type Sample,
} from './stack/prometheus-api.js';
import { REPOSITORY_ROOT } from './stack/services.js';

const DEMO_DIR = join(REPOSITORY_ROOT, 'outputs', 'demo');
const CHURN = join(REPOSITORY_ROOT, 'bin', 'churn.js');
const SAMPLE_FILES = ['train.csv', 'new_batch_1.csv', 'new_batch_2.csv'];

/** A scratch project: retrain rewrites its training file, which must not be the shipped one. */
function prepareProject(): void {
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(join(DEMO_DIR, 'data'), { recursive: true });
  for (const file of SAMPLE_FILES) {
    copyFileSync(join(REPOSITORY_ROOT, 'data', file), join(DEMO_DIR, 'data', file));
  }
  copyFileSync(join(REPOSITORY_ROOT, 'churn.config.json'), join(DEMO_DIR, 'churn.config.json'));
}

function churn(title: string, args: string[], pushgateway: string): void {
  console.log(`\n── ${title}\n$ churn ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [CHURN, ...args], {
    cwd: DEMO_DIR,
    stdio: 'inherit',
    env: {
      ...process.env,
      CHURN_PUSHGATEWAY_URL: pushgateway,
      FORCE_COLOR: process.env.FORCE_COLOR ?? '1',
    },
  });
  if (result.status !== 0)
    throw new StackError(`churn ${args[0]} exited with code ${result.status}`);
}

const LIVE_QUERIES: Array<[string, string, (sample: Sample) => string]> = [
  ['F2 of the model in use', currentModel('churn_model_f2_score'), (s) => s.value.toFixed(3)],
  ['ROC AUC of the model in use', currentModel('churn_model_roc_auc'), (s) => s.value.toFixed(3)],
  [
    'Last batch by risk level',
    'sum by (level) (churn_predictions_by_risk_level)',
    (s) => `${s.metric.level} ${s.value}`,
  ],
  ['Customers scored, all runs', 'sum(churn_predictions_total)', (s) => String(s.value)],
  [
    'Most drifted features (PSI)',
    'topk(3, churn_feature_drift_psi)',
    (s) => `${s.metric.feature} ${s.value.toFixed(3)}`,
  ],
  [
    'Retraining outcomes',
    'sum by (outcome) (churn_retraining_total)',
    (s) => `${s.metric.outcome} ${s.value}`,
  ],
];

async function main(): Promise<void> {
  if (!existsSync(join(REPOSITORY_ROOT, 'dist', 'cli', 'main.js'))) {
    console.log('building churn (npm run build) …');
    if (
      spawnSync('npm', ['run', 'build'], { cwd: REPOSITORY_ROOT, stdio: 'inherit' }).status !== 0
    ) {
      throw new StackError('npm run build failed');
    }
  }
  console.log('── Starting the monitoring stack');
  const { urls } = await startStack(process.argv.includes('--local'));
  prepareProject();
  churn('Train on the sample data (6000 customers)', ['train'], urls.pushgateway);
  churn(
    'Score a batch like the training data',
    ['predict', '--data', 'data/new_batch_1.csv', '--out', 'outputs/predictions_1.csv'],
    urls.pushgateway,
  );
  churn(
    'Score a batch that has drifted (older customers, more churn)',
    ['predict', '--data', 'data/new_batch_2.csv', '--out', 'outputs/predictions_2.csv'],
    urls.pushgateway,
  );
  churn(
    'Retrain with the labelled new batch',
    ['retrain', '--data', 'data/new_batch_2.csv'],
    urls.pushgateway,
  );

  console.log(
    '\n── Waiting for Prometheus to scrape the Pushgateway and evaluate the alert rules …',
  );
  await waitForSeries(
    urls.prometheus,
    'churn_job_last_success_timestamp_seconds{job="churn_retrain"}',
    60_000,
  );
  await waitForRuleEvaluation(urls.prometheus, new Date(), 60_000);
  for (const [title, expr, show] of LIVE_QUERIES) {
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
      : '  Grafana        not running here: see npm run monitoring:status',
  );
  console.log(
    `  Alert log      ${join(STACK_DIR, 'alerts.log')} (notifications arrive after Alertmanager's 30 s group wait)`,
  );
  console.log(`  The demo project: ${DEMO_DIR} (models, predictions, logs)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
