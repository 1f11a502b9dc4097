/**
 * The services of the monitoring stack as they run without Docker: which binary, which Debian
 * package provides it, which port, and the arguments that give it the same configuration as
 * monitoring/docker-compose.yml. Listed in start order: a service starts after those it sends to.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAFANA_SEARCH_DIRS, grafanaArgs, grafanaEnvironment, grafanaHome } from './grafana.js';

export type ServiceName = 'pushgateway' | 'alert-log' | 'alertmanager' | 'prometheus' | 'grafana';

export interface ServiceContext {
  /** Holds configuration copies, data, logs and PID files (outputs/monitoring by default). */
  dir: string;
  ports: Record<ServiceName, number>;
  /** Where Prometheus scrapes `churn serve` on this machine (default: SCORING_API's port). */
  apiPort?: number;
}

/**
 * What Prometheus scrapes without the stack running it: the scoring API, `churn serve`, which
 * runs where the models are. Its port variable is the one churn serve itself reads, so
 * `CHURN_SERVE_PORT=8080` moves both.
 */
export const SCORING_API = {
  title: 'churn serve (scraped, not started)',
  composeAddress: 'host.docker.internal:8000',
  defaultPort: 8000,
  portVariable: 'CHURN_SERVE_PORT',
} as const;

export interface ServiceSpec {
  name: ServiceName;
  title: string;
  /** Host and port in the committed configuration (the docker-compose service). */
  composeAddress: string;
  defaultPort: number;
  /** Environment variable that moves the port. */
  portVariable: string;
  /** Names to look for on PATH, Debian's first. */
  binaries: string[];
  /** Folders to look in after PATH. */
  searchAlso?: string[];
  debianPackage: string | null;
  /** Started when installed and left out otherwise, where Debian does not package it. */
  optional?: boolean;
  /** The path that answers 200 once the service is ready. */
  readyPath: string;
  /** How long a first start may take (Grafana migrates its database). */
  readyTimeoutMs?: number;
  args(context: ServiceContext, binary: string): string[];
  /** Environment beyond the caller's. */
  env?(context: ServiceContext): Record<string, string>;
}

export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MONITORING_DIR = join(REPOSITORY_ROOT, 'monitoring');

const listen = (context: ServiceContext, name: ServiceName): string =>
  `--web.listen-address=127.0.0.1:${context.ports[name]}`;

export const SERVICES: ServiceSpec[] = [
  {
    name: 'pushgateway',
    title: 'Pushgateway',
    composeAddress: 'pushgateway:9091',
    defaultPort: 9091,
    portVariable: 'PUSHGATEWAY_PORT',
    binaries: ['prometheus-pushgateway', 'pushgateway'],
    debianPackage: 'prometheus-pushgateway',
    readyPath: '/-/ready',
    args: (context) => [
      listen(context, 'pushgateway'),
      `--persistence.file=${join(context.dir, 'pushgateway.store')}`,
      '--persistence.interval=1m',
    ],
  },
  {
    name: 'alert-log',
    title: 'Alert log (Alertmanager webhook)',
    composeAddress: 'alert-log:9095',
    defaultPort: 9095,
    portVariable: 'ALERT_LOG_PORT',
    binaries: [],
    debianPackage: null,
    readyPath: '/-/ready',
    args: (context) => [
      join(MONITORING_DIR, 'alert-log', 'server.mjs'),
      '--host=127.0.0.1',
      `--port=${context.ports['alert-log']}`,
      `--file=${join(context.dir, 'alerts.log')}`,
    ],
  },
  {
    name: 'alertmanager',
    title: 'Alertmanager',
    composeAddress: 'alertmanager:9093',
    defaultPort: 9093,
    portVariable: 'ALERTMANAGER_PORT',
    binaries: ['prometheus-alertmanager', 'alertmanager'],
    debianPackage: 'prometheus-alertmanager',
    readyPath: '/-/ready',
    args: (context) => [
      `--config.file=${join(context.dir, 'alertmanager.yml')}`,
      `--storage.path=${join(context.dir, 'alertmanager')}`,
      listen(context, 'alertmanager'),
      // A single instance: no cluster port to collide with another Alertmanager.
      '--cluster.listen-address=',
    ],
  },
  {
    name: 'prometheus',
    title: 'Prometheus',
    composeAddress: 'prometheus:9090',
    defaultPort: 9090,
    portVariable: 'PROMETHEUS_PORT',
    binaries: ['prometheus'],
    debianPackage: 'prometheus',
    readyPath: '/-/ready',
    args: (context) => [
      `--config.file=${join(context.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(context.dir, 'prometheus')}`,
      '--storage.tsdb.retention.time=90d',
      listen(context, 'prometheus'),
      '--web.enable-lifecycle',
    ],
  },
  {
    name: 'grafana',
    title: 'Grafana',
    composeAddress: 'grafana:3000',
    defaultPort: 3000,
    portVariable: 'GRAFANA_PORT',
    binaries: ['grafana', 'grafana-server'],
    searchAlso: GRAFANA_SEARCH_DIRS,
    debianPackage: null,
    optional: true,
    readyPath: '/api/health',
    readyTimeoutMs: 120_000,
    args: (_context, binary) => grafanaArgs(binary, grafanaHome(binary)),
    env: (context) =>
      grafanaEnvironment(
        { dir: context.dir, monitoringDir: MONITORING_DIR },
        context.ports.grafana,
      ),
  },
];

/** The executable for a service: Node for our own, else the first of its names on PATH. */
export function findBinary(spec: ServiceSpec, path = process.env.PATH ?? ''): string | null {
  if (spec.binaries.length === 0) return process.execPath;
  const dirs = [...path.split(delimiter), ...(spec.searchAlso ?? [])].filter(Boolean);
  for (const name of spec.binaries) {
    for (const dir of dirs) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}

export function portsFrom(env: NodeJS.ProcessEnv): Record<ServiceName, number> {
  const ports = {} as Record<ServiceName, number>;
  for (const spec of SERVICES) ports[spec.name] = portFrom(env, spec);
  return ports;
}

/** The port a variable names, or the default when it is unset. */
export function portFrom(
  env: NodeJS.ProcessEnv,
  { portVariable, defaultPort }: { portVariable: string; defaultPort: number },
): number {
  const raw = env[portVariable];
  const port = raw === undefined || raw === '' ? defaultPort : Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `${portVariable} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`,
    );
  }
  return port;
}
