/**
 * Grafana in the local stack. Debian does not package Grafana and its repository is out of reach
 * here, so the wiring is proven with a stand-in `grafana` executable on PATH that records the
 * arguments, working directory and environment it was started with and answers /api/health: the
 * stack must find it, give it compose's configuration with local paths and addresses, wait for
 * it, report it and stop it. What only a real Grafana could show (that it accepts these files)
 * is checked by hand: docs/stack.md says how.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  localStackStatus,
  startLocalStack,
  stopLocalStack,
  type ServiceState,
  type StackSelection,
} from '../../scripts/stack/local.js';
import { grafanaArgs, grafanaHome } from '../../scripts/stack/grafana.js';
import { findBinary, MONITORING_DIR, SERVICES } from '../../scripts/stack/services.js';
import { tempDir } from '../helpers/cli.js';
import { MONITORING_STACK } from '../helpers/monitoring-binaries.js';
import { requires } from '../helpers/prerequisites.js';
import { startTestStack } from '../helpers/stack.js';

const DASHBOARDS = join(MONITORING_DIR, 'grafana', 'dashboards');
const RECORD = 'grafana-stand-in.json';

/** A Grafana install as its tarball lays it out: bin/grafana beside conf/defaults.ini. */
function standInGrafana(root: string): string {
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'conf'), { recursive: true });
  writeFileSync(join(root, 'conf', 'defaults.ini'), '; a stand-in\n');
  const script = join(root, 'bin', 'grafana');
  writeFileSync(
    script,
    `#!${process.execPath}
// Records how it was started, then serves /api/health as Grafana does once its database is up.
const { createServer } = require('node:http');
const { writeFileSync } = require('node:fs');
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('GF_')));
writeFileSync(${JSON.stringify(RECORD)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env }));
const server = createServer((request, response) => {
  if (request.url !== '/api/health') return response.writeHead(404).end();
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ database: 'ok', version: 'stand-in' }));
});
server.listen(Number(process.env.GF_SERVER_HTTP_PORT), process.env.GF_SERVER_HTTP_ADDR);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  );
  chmodSync(script, 0o755);
  return join(root, 'bin');
}

interface StartRecord {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

describe('finding Grafana and its home', () => {
  const scratch = tempDir();
  afterAll(() => scratch.remove());

  it("starts `grafana server` and the older `grafana-server` each with Grafana's home", () => {
    expect(grafanaArgs('/usr/sbin/grafana', '/usr/share/grafana')).toEqual([
      'server',
      '--homepath=/usr/share/grafana',
    ]);
    expect(grafanaArgs('/usr/sbin/grafana-server', '/usr/share/grafana')).toEqual([
      '--homepath=/usr/share/grafana',
    ]);
  });

  it('takes the home beside the binary, or GRAFANA_HOME first', () => {
    const bin = standInGrafana(join(scratch.path, 'tarball'));
    expect(grafanaHome(join(bin, 'grafana'), {})).toBe(join(scratch.path, 'tarball'));
    const other = join(scratch.path, 'elsewhere');
    mkdirSync(join(other, 'conf'), { recursive: true });
    writeFileSync(join(other, 'conf', 'defaults.ini'), '');
    expect(grafanaHome(join(bin, 'grafana'), { GRAFANA_HOME: other })).toBe(other);
  });

  it('looks for grafana before grafana-server, on PATH and then where the packages put it', () => {
    const spec = SERVICES.find((service) => service.name === 'grafana')!;
    const bin = standInGrafana(join(scratch.path, 'on-path'));
    writeFileSync(join(bin, 'grafana-server'), '');
    expect(findBinary(spec, `/nonexistent:${bin}`)).toBe(join(bin, 'grafana'));
    expect(spec.searchAlso).toEqual(['/usr/sbin', '/usr/share/grafana/bin']);
    expect(spec.optional).toBe(true);
  });
});

requires(
  MONITORING_STACK,
  'that the local stack starts, waits for, reports and stops a Grafana binary with its provisioning',
).describe('a grafana binary in the local stack (a stand-in)', () => {
  const scratch = tempDir();
  const install = join(scratch.path, 'grafana-install');
  let context: StackSelection;
  let services: ServiceState[];
  let url: (name: 'grafana' | 'prometheus') => string;
  let record: StartRecord;

  beforeAll(async () => {
    const bin = standInGrafana(install);
    const stack = await startTestStack(join(scratch.path, 'monitoring'), { grafanaFrom: bin });
    ({ context, services, url } = stack);
    record = JSON.parse(readFileSync(join(context.dir, RECORD), 'utf8')) as StartRecord;
  }, 120_000);

  afterAll(async () => {
    if (context) await stopLocalStack(context.dir);
    scratch.remove();
  });

  it('starts it last, after Prometheus, and waits until /api/health answers', () => {
    expect(services.map((service) => service.name)).toEqual([
      'pushgateway',
      'alert-log',
      'alertmanager',
      'prometheus',
      'grafana',
    ]);
    const grafana = services.find((service) => service.name === 'grafana')!;
    expect(grafana).toMatchObject({ started: true, ready: true, url: url('grafana') });
  });

  it('runs `grafana server` with its home, in the stack folder', () => {
    expect(record.argv).toEqual(['server', `--homepath=${install}`]);
    expect(record.cwd).toBe(context.dir);
  });

  it("gives it compose's settings, listening on loopback, its state under the stack folder", () => {
    const compose = parse(readFileSync(join(MONITORING_DIR, 'docker-compose.yml'), 'utf8')) as {
      services: { grafana: { environment: Record<string, string> } };
    };
    const state = join(context.dir, 'grafana');
    expect(record.env).toEqual({
      GF_SECURITY_ADMIN_USER: compose.services.grafana.environment.GF_SECURITY_ADMIN_USER,
      GF_SECURITY_ADMIN_PASSWORD: compose.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD,
      // compose's container path, as the host folder it mounts there
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: join(DASHBOARDS, 'overview.json'),
      GF_PATHS_DATA: join(state, 'data'),
      GF_PATHS_LOGS: join(state, 'logs'),
      GF_PATHS_PLUGINS: join(state, 'plugins'),
      GF_PATHS_PROVISIONING: join(state, 'provisioning'),
      GF_SERVER_HTTP_ADDR: '127.0.0.1',
      GF_SERVER_HTTP_PORT: String(context.ports.grafana),
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
      GF_NEWS_NEWS_FEED_ENABLED: 'false',
      GF_PLUGINS_PREINSTALL_DISABLED: 'true',
    });
    expect(existsSync(record.env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH)).toBe(true);
    for (const folder of ['data', 'logs', 'plugins']) {
      expect(existsSync(join(state, folder)), folder).toBe(true);
    }
  });

  it('provisions the data source at the live Prometheus, and the dashboards folder', async () => {
    const provisioning = record.env.GF_PATHS_PROVISIONING;
    const { datasources } = parse(
      readFileSync(join(provisioning, 'datasources', 'prometheus.yml'), 'utf8'),
    ) as { datasources: Array<{ uid: string; type: string; url: string }> };
    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({
      uid: 'prometheus',
      type: 'prometheus',
      url: url('prometheus'),
    });
    expect((await fetch(`${datasources[0].url}/-/ready`)).ok).toBe(true);

    const { providers } = parse(
      readFileSync(join(provisioning, 'dashboards', 'churn.yml'), 'utf8'),
    ) as { providers: Array<{ folder: string; options: { path: string } }> };
    expect(providers).toEqual([
      expect.objectContaining({ folder: 'churn', options: { path: DASHBOARDS } }),
    ]);
    expect(readdirSync(providers[0].options.path).sort()).toEqual([
      'api-health.json',
      'batch-jobs.json',
      'business.json',
      'ml-model.json',
      'overview.json',
    ]);
    for (const kind of ['alerting', 'plugins']) {
      expect(readdirSync(join(provisioning, kind)), kind).toEqual([]);
    }
  });

  it('reports it, keeps it on a second start, and stops it with the rest', async () => {
    const status = await localStackStatus(context);
    expect(status.find((service) => service.name === 'grafana')).toMatchObject({ ready: true });
    const again = await startLocalStack({ ...context, interval: '1s' });
    expect(again.find((service) => service.name === 'grafana')).toMatchObject({ started: false });

    const stopped = await stopLocalStack(context.dir);
    expect(stopped.map((service) => service.name)[0]).toBe('grafana');
    await expect(fetch(`${url('grafana')}/api/health`)).rejects.toThrow();
    expect(existsSync(join(context.dir, 'grafana.pid'))).toBe(false);
  });
});
