/**
 * Grafana without Docker, from a `grafana` (or the older `grafana-server`) binary of Grafana's own
 * packages, set up as monitoring/docker-compose.yml sets up its container: the same environment,
 * the provisioning of monitoring/grafana/ with the container's paths and host names made local,
 * and its data, logs and plugins under the stack's folder. Debian does not package Grafana, so
 * it is the one optional service: without the binary the stack starts without it.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Addresses } from './render.js';
import { StackError } from './wait.js';

export interface GrafanaLayout {
  /** The stack's folder (outputs/monitoring by default). */
  dir: string;
  /** monitoring/, which docker-compose.yml mounts into the container. */
  monitoringDir: string;
}

export const GRAFANA_INSTALL =
  "Grafana's own packages (https://grafana.com/docs/grafana/latest/setup-grafana/installation/)";

/** Where Grafana's packages put the binary, for a PATH without sbin. */
export const GRAFANA_SEARCH_DIRS = ['/usr/sbin', '/usr/share/grafana/bin'];

/** Grafana's install folder (with conf/defaults.ini), which it needs as --homepath. */
export function grafanaHome(binary: string, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    ...(env.GRAFANA_HOME ? [env.GRAFANA_HOME] : []),
    // The tarball and Homebrew: <home>/bin/grafana; the .deb and .rpm: /usr/share/grafana.
    resolve(dirname(realpathSync(binary)), '..'),
    '/usr/share/grafana',
    '/opt/homebrew/share/grafana',
    '/usr/local/share/grafana',
  ];
  const home = candidates.find((dir) => existsSync(join(dir, 'conf', 'defaults.ini')));
  if (home === undefined) {
    throw new StackError(
      `found Grafana at ${binary} but not its home folder (with conf/defaults.ini) in ` +
        `${candidates.join(', ')}. Next: set GRAFANA_HOME to the folder Grafana is installed in.`,
    );
  }
  return home;
}

/** The arguments of each binary: `grafana server …`, or the deprecated `grafana-server …`. */
export function grafanaArgs(binary: string, home: string): string[] {
  return [...(posix.basename(binary) === 'grafana' ? ['server'] : []), `--homepath=${home}`];
}

interface ComposeGrafana {
  environment?: Record<string, string>;
  volumes?: string[];
}

function composeGrafana(monitoringDir: string): ComposeGrafana {
  const compose = parse(readFileSync(join(monitoringDir, 'docker-compose.yml'), 'utf8')) as {
    services: { grafana: ComposeGrafana };
  };
  return compose.services.grafana;
}

/**
 * A path inside the container → the host path compose mounts there (only monitoring/'s own
 * folders; Docker's named volumes have no host path).
 */
function hostPath(containerPath: string, layout: GrafanaLayout): string | null {
  for (const volume of composeGrafana(layout.monitoringDir).volumes ?? []) {
    const [source, target] = volume.split(':');
    if (!source.startsWith('.')) continue;
    const inside = posix.relative(target, containerPath);
    if (inside === '' || !inside.startsWith('..')) {
      return join(resolve(layout.monitoringDir, source), ...inside.split('/').filter(Boolean));
    }
  }
  return null;
}

/** Where Grafana keeps what it writes, and reads its provisioning, under the stack's folder. */
export function grafanaPaths(dir: string) {
  const root = join(dir, 'grafana');
  return {
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    plugins: join(root, 'plugins'),
    provisioning: join(root, 'provisioning'),
  };
}

/**
 * The environment of compose's Grafana, container paths made host paths, plus where it listens
 * and keeps its state. It never phones home: the tests must not reach the internet.
 */
export function grafanaEnvironment(layout: GrafanaLayout, port: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(
    composeGrafana(layout.monitoringDir).environment ?? {},
  )) {
    env[key] = value.startsWith('/') ? (hostPath(value, layout) ?? value) : value;
  }
  const paths = grafanaPaths(layout.dir);
  return {
    ...env,
    GF_PATHS_DATA: paths.data,
    GF_PATHS_LOGS: paths.logs,
    GF_PATHS_PLUGINS: paths.plugins,
    GF_PATHS_PROVISIONING: paths.provisioning,
    GF_SERVER_HTTP_ADDR: '127.0.0.1',
    GF_SERVER_HTTP_PORT: String(port),
    GF_ANALYTICS_REPORTING_ENABLED: 'false',
    GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
    GF_NEWS_NEWS_FEED_ENABLED: 'false',
    GF_PLUGINS_PREINSTALL_DISABLED: 'true',
  };
}

/**
 * Copies monitoring/grafana/provisioning with local addresses (the data source's
 * http://prometheus:9090) and host paths (the dashboards folder), and makes the folders Grafana
 * writes to.
 */
export function writeGrafanaProvisioning(layout: GrafanaLayout, addresses: Addresses): void {
  const paths = grafanaPaths(layout.dir);
  const source = join(layout.monitoringDir, 'grafana', 'provisioning');
  for (const folder of [paths.data, paths.logs, paths.plugins])
    mkdirSync(folder, { recursive: true });
  // Grafana reads every kind of provisioning; the empty ones keep it from logging errors.
  for (const kind of ['alerting', 'plugins']) {
    mkdirSync(join(paths.provisioning, kind), { recursive: true });
  }
  const header = (file: string) =>
    `# Rendered from ${file} by npm run monitoring:up; edit that file, not this one.\n`;

  const datasourcesFile = join(source, 'datasources', 'prometheus.yml');
  const datasources = parse(readFileSync(datasourcesFile, 'utf8')) as {
    datasources: Array<{ url?: string }>;
  };
  for (const datasource of datasources.datasources) {
    if (!datasource.url) continue;
    const url = new URL(datasource.url);
    const local = addresses[url.host];
    if (local) datasource.url = `${url.protocol}//${local}${url.pathname.replace(/\/$/, '')}`;
  }
  mkdirSync(join(paths.provisioning, 'datasources'), { recursive: true });
  writeFileSync(
    join(paths.provisioning, 'datasources', 'prometheus.yml'),
    header(datasourcesFile) + stringify(datasources),
  );

  const providerFile = join(source, 'dashboards', 'churn.yml');
  const provider = parse(readFileSync(providerFile, 'utf8')) as {
    providers: Array<{ options?: { path?: string } }>;
  };
  for (const entry of provider.providers) {
    const path = entry.options?.path;
    if (!path) continue;
    const local = hostPath(path, layout);
    if (local === null) {
      throw new StackError(
        `${providerFile} loads dashboards from ${path}, which docker-compose.yml does not mount ` +
          'from monitoring/: mount it there, or point the provider at a mounted folder.',
      );
    }
    entry.options!.path = local;
  }
  mkdirSync(join(paths.provisioning, 'dashboards'), { recursive: true });
  writeFileSync(
    join(paths.provisioning, 'dashboards', 'churn.yml'),
    header(providerFile) + stringify(provider),
  );
}
