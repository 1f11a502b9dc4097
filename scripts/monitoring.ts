/**
 * `npm run monitoring:up | monitoring:down | monitoring:status`: the monitoring stack through
 * docker compose when a Docker engine answers, otherwise from the locally installed binaries
 * (Debian's prometheus, prometheus-pushgateway, prometheus-alertmanager), in the background,
 * with data, logs and PID files under outputs/monitoring/ (or STACK_DIR). `--local` skips Docker.
 */
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compose, dockerComposeAvailable } from './stack/docker.js';
import { GRAFANA_INSTALL } from './stack/grafana.js';
import {
  localStackStatus,
  serviceUrl,
  startLocalStack,
  stopLocalStack,
  type ServiceState,
} from './stack/local.js';
import {
  portFrom,
  portsFrom,
  REPOSITORY_ROOT,
  SCORING_API,
  type ServiceContext,
  type ServiceName,
} from './stack/services.js';
import { Deadline, StackError } from './stack/wait.js';

/** Where the local stack keeps its files: STACK_DIR, or outputs/monitoring of the clone. */
export function stackDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.STACK_DIR ? resolve(env.STACK_DIR) : join(REPOSITORY_ROOT, 'outputs', 'monitoring');
}

export function localContext(env: NodeJS.ProcessEnv = process.env): ServiceContext {
  return { dir: stackDir(env), ports: portsFrom(env), apiPort: portFrom(env, SCORING_API) };
}

/** SCRAPE_INTERVAL: how often Prometheus scrapes and evaluates (default: the configured 15s). */
function scrapeInterval(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.SCRAPE_INTERVAL;
  if (value === undefined || value === '') return undefined;
  if (!/^\d+(ms|s|m)$/.test(value)) {
    throw new StackError(
      `SCRAPE_INTERVAL must be a duration such as 5s, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

const GRAFANA_NOTE =
  'Grafana: not started, since no grafana or grafana-server binary is installed (Debian does not ' +
  `package it). Install it from ${GRAFANA_INSTALL} and run npm run monitoring:up again; or use ` +
  'Docker (docker compose -f monitoring/docker-compose.yml up -d); or import ' +
  'monitoring/grafana/dashboards/*.json into your Grafana with a Prometheus data source at the URL above.';

function printServices(states: ServiceState[]): void {
  const width = Math.max(...states.map((state) => state.title.length));
  for (const state of states) {
    const condition = state.pid === null ? 'stopped' : state.ready ? 'ready' : 'not ready';
    const pid =
      state.pid === null
        ? ''
        : ` (pid ${state.pid}${state.started === false ? ', already running' : ''})`;
    console.log(`  ${state.title.padEnd(width)}  ${state.url.padEnd(22)}  ${condition}${pid}`);
  }
}

export interface StackUrls {
  prometheus: string;
  pushgateway: string;
  alertmanager: string;
  /** Null for a local stack without a Grafana binary. */
  grafana: string | null;
}

const COMPOSE_URLS: StackUrls = {
  prometheus: 'http://localhost:9090',
  pushgateway: 'http://localhost:9091',
  alertmanager: 'http://localhost:9093',
  grafana: 'http://localhost:3000',
};

/**
 * Starts the stack with docker compose when it can (unless `local`), else from the local
 * binaries, whose services it also returns.
 */
export async function startStack(
  local: boolean,
  deadline?: Deadline,
): Promise<{ urls: StackUrls; services: ServiceState[] | null }> {
  if (!local && dockerComposeAvailable()) {
    const status = compose(['up', '-d'], deadline?.left(15 * 60_000));
    if (status !== 0) throw new StackError(`docker compose up failed (exit code ${status})`);
    return { urls: COMPOSE_URLS, services: null };
  }
  const context = localContext();
  console.log(
    `Starting the monitoring stack from local binaries (data and logs in ${context.dir})`,
  );
  const services = await startLocalStack({ ...context, deadline, interval: scrapeInterval() });
  const url = (name: ServiceName) => serviceUrl(context, name);
  return {
    urls: {
      prometheus: url('prometheus'),
      pushgateway: url('pushgateway'),
      alertmanager: url('alertmanager'),
      grafana: services.some((state) => state.name === 'grafana') ? url('grafana') : null,
    },
    services,
  };
}

async function up(local: boolean): Promise<number> {
  const { urls, services } = await startStack(local);
  if (services) {
    printServices(services);
    console.log(
      urls.grafana
        ? `\nGrafana: ${urls.grafana} (admin/admin), dashboards in its "churn" folder`
        : `\n${GRAFANA_NOTE}`,
    );
  } else {
    console.log(`Prometheus ${urls.prometheus}, Pushgateway ${urls.pushgateway},`);
    console.log(`Alertmanager ${urls.alertmanager}, Grafana ${urls.grafana} (admin/admin)`);
  }
  console.log(`\nPush from churn with: export CHURN_PUSHGATEWAY_URL=${urls.pushgateway}`);
  console.log(
    services
      ? `Prometheus scrapes churn serve at 127.0.0.1:${localContext().apiPort}: run churn serve ` +
          `there (${SCORING_API.portVariable} moves it)`
      : 'Prometheus scrapes churn serve on the host: run churn serve --host 0.0.0.0 (port 8000)',
  );
  if (services) {
    console.log(
      `Alert notifications: tail -f ${relative(process.cwd(), join(stackDir(), 'alerts.log'))}`,
    );
  }
  console.log('Next: npm run demo; stop with npm run monitoring:down');
  return 0;
}

async function down(local: boolean): Promise<number> {
  const stopped = await stopLocalStack(stackDir());
  for (const state of stopped) console.log(`stopped ${state.title} (pid ${state.pid})`);
  if (!local && dockerComposeAvailable()) return compose(['down']);
  if (stopped.length === 0) console.log('nothing to stop: no local monitoring service is running');
  return 0;
}

async function status(local: boolean): Promise<number> {
  const states = await localStackStatus(localContext());
  const running = states.filter((state) => state.pid !== null);
  const docker = !local && dockerComposeAvailable();
  if (docker) compose(['ps']);
  if (running.length > 0 || !docker) {
    console.log('Local monitoring services:');
    printServices(states);
  }
  return running.length === states.length && running.every((state) => state.ready) ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  const local = flags.includes('--local');
  switch (command) {
    case 'up':
      return up(local);
    case 'down':
      return down(local);
    case 'status':
      return status(local);
    default:
      console.error('usage: tsx scripts/monitoring.ts up|down|status [--local]');
      return 2;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(
        `error: ${error instanceof StackError || error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    },
  );
}
