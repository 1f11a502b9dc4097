import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DASHBOARD_DIR,
  GUIDE_PATH,
  renderedDashboards,
  replaceGuide,
} from '../../scripts/dashboards.js';
import { renderAlertmanagerConfig, renderPrometheusConfig } from '../../scripts/stack/render.js';
import { MONITORING_DIR, SERVICES, type ServiceContext } from '../../scripts/stack/services.js';
import { AMTOOL_BIN, MONITORING_STACK, PROMTOOL_BIN } from '../helpers/monitoring-binaries.js';
import { requires } from '../helpers/prerequisites.js';

const PROMETHEUS_CONFIG = join(MONITORING_DIR, 'prometheus', 'prometheus.yml');
const ALERT_RULES = join(MONITORING_DIR, 'prometheus', 'alert_rules.yml');
const ALERT_TESTS = join(MONITORING_DIR, 'prometheus', 'alert_rules_test.yml');
const ALERTMANAGER_CONFIG = join(MONITORING_DIR, 'alertmanager', 'alertmanager.yml');

function run(binary: string, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(binary, args, { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = (
  parse(readFileSync(ALERT_RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }
).groups.flatMap((group) => group.rules);

requires(
  MONITORING_STACK,
  'promtool check config and rules, the rule unit tests and amtool check-config',
).describe('the monitoring configuration, checked by the real tools', () => {
  it('passes promtool check config and check rules', () => {
    const config = run(PROMTOOL_BIN, ['check', 'config', PROMETHEUS_CONFIG]);
    expect(config.output).toContain('is valid prometheus config file');
    expect(config.ok).toBe(true);
    expect(run(PROMTOOL_BIN, ['check', 'rules', ALERT_RULES]).ok).toBe(true);
  });

  it('passes its promtool rule unit tests', () => {
    const result = run(PROMTOOL_BIN, ['test', 'rules', ALERT_TESTS]);
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  it('fails the rule unit tests when a threshold moves, so they test something', () => {
    const dir = mkdtempSync(join(tmpdir(), 'churn-rules-'));
    try {
      writeFileSync(
        join(dir, 'alert_rules.yml'),
        readFileSync(ALERT_RULES, 'utf8').replace('} < 0.7', '} < 0.6'),
      );
      writeFileSync(join(dir, 'alert_rules_test.yml'), readFileSync(ALERT_TESTS, 'utf8'));
      const result = run(PROMTOOL_BIN, ['test', 'rules', join(dir, 'alert_rules_test.yml')]);
      expect(result.ok).toBe(false);
      expect(result.output).toContain('alertname: LowF2Score');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes amtool check-config', () => {
    const result = run(AMTOOL_BIN, ['check-config', ALERTMANAGER_CONFIG]);
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  it('stays valid once rendered for local binaries on other ports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'churn-render-'));
    try {
      const addresses = {
        'prometheus:9090': '127.0.0.1:19090',
        'pushgateway:9091': '127.0.0.1:19091',
        'alertmanager:9093': '127.0.0.1:19093',
        'alert-log:9095': '127.0.0.1:19095',
      };
      const prometheus = renderPrometheusConfig(readFileSync(PROMETHEUS_CONFIG, 'utf8'), {
        addresses,
        sourcePath: PROMETHEUS_CONFIG,
        interval: '1s',
      });
      writeFileSync(join(dir, 'prometheus.yml'), prometheus);
      expect(run(PROMTOOL_BIN, ['check', 'config', join(dir, 'prometheus.yml')]).ok).toBe(true);
      const parsed = parse(prometheus);
      expect(parsed.rule_files).toEqual([ALERT_RULES]);
      expect(parsed.global.evaluation_interval).toBe('1s');
      expect(JSON.stringify(parsed.scrape_configs)).toContain('127.0.0.1:19091');
      expect(prometheus).not.toMatch(/pushgateway:9091|alertmanager:9093|prometheus:9090/);

      const alertmanager = renderAlertmanagerConfig(
        readFileSync(ALERTMANAGER_CONFIG, 'utf8'),
        addresses,
      );
      writeFileSync(join(dir, 'alertmanager.yml'), alertmanager);
      expect(run(AMTOOL_BIN, ['check-config', join(dir, 'alertmanager.yml')]).ok).toBe(true);
      expect(alertmanager).toContain('http://127.0.0.1:19095/alerts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the alert rules', () => {
  it('include every alert the project promises', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'LowF2Score',
        'LowAUC',
        'ModelPerformanceDegraded',
        'HighRiskCustomersSpike',
        'ChurnScoreIncrease',
        'ModelStale',
        'PredictionsMissing',
        'ScoringShardsMissing',
        'BatchJobFailed',
        'PushgatewayDown',
        'FeatureDrift',
        'ScoringApiDown',
        'ScoringApiHighErrorRate',
        'ScoringApiHighLatency',
        'ScoreDrift',
        'DatasetDrift',
      ]),
    );
  });

  it('each have a severity and a summary and description, the description showing the value', () => {
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toMatch(/\{\{ \$value/);
    }
  });

  it('each have a unit test that fires them and one that does not', () => {
    const tests = parse(readFileSync(ALERT_TESTS, 'utf8')) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const cases = tests.tests.flatMap((test) => test.alert_rule_test);
    for (const rule of rules) {
      const mine = cases.filter((test) => test.alertname === rule.alert);
      expect(
        mine.some((test) => test.exp_alerts.length > 0),
        `${rule.alert} firing`,
      ).toBe(true);
      expect(
        mine.some((test) => test.exp_alerts.length === 0),
        `${rule.alert} quiet`,
      ).toBe(true);
    }
  });
});

describe('the local services', () => {
  it('keep all their state under the stack folder, reading only monitoring/ besides', () => {
    const dir = '/stack-folder';
    const ports = Object.fromEntries(SERVICES.map((spec) => [spec.name, spec.defaultPort]));
    const context = { dir, ports } as ServiceContext;
    for (const spec of SERVICES) {
      // Grafana's only argument is its install folder (read-only), found beside its binary.
      const args = spec.name === 'grafana' ? [] : spec.args(context, '/usr/bin/x');
      const paths = [...args, ...Object.values(spec.env?.(context) ?? {})]
        .map((value) => value.replace(/^--[a-z.-]+=/, ''))
        .filter((value) => value.startsWith('/'));
      expect(paths.length, spec.name).toBeGreaterThan(0);
      for (const path of paths) {
        expect(
          path.startsWith(`${dir}/`) || path.startsWith(`${MONITORING_DIR}/`),
          `${spec.name}: ${path}`,
        ).toBe(true);
      }
    }
    // What each one writes: the Pushgateway's store, Prometheus's and Alertmanager's storage.
    const argsOf = (name: string) =>
      SERVICES.find((spec) => spec.name === name)!.args(context, '/usr/bin/x');
    expect(argsOf('pushgateway')).toContain(`--persistence.file=${dir}/pushgateway.store`);
    expect(argsOf('prometheus')).toContain(`--storage.tsdb.path=${dir}/prometheus`);
    expect(argsOf('alertmanager')).toContain(`--storage.path=${dir}/alertmanager`);
  });
});

describe('the Grafana provisioning', () => {
  it('commits the dashboards exactly as scripts/dashboards renders them (npm run dashboards)', () => {
    for (const [file, text] of Object.entries(renderedDashboards())) {
      expect(readFileSync(join(DASHBOARD_DIR, file), 'utf8'), file).toBe(text);
    }
    const guide = readFileSync(GUIDE_PATH, 'utf8');
    expect(replaceGuide(guide), 'docs/grafana.md').toBe(guide);
  });

  it('gives the dashboards unique ids and panels unique ids within each', () => {
    const dashboards = Object.values(renderedDashboards()).map(
      (text) =>
        JSON.parse(text) as {
          uid: string;
          panels: Array<{ id: number; gridPos: { x: number; w: number } }>;
        },
    );
    expect(new Set(dashboards.map((dashboard) => dashboard.uid)).size).toBe(dashboards.length);
    for (const dashboard of dashboards) {
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size, dashboard.uid).toBe(ids.length);
      for (const panel of dashboard.panels)
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('mounts in docker-compose what the provisioning files and services expect', () => {
    const compose = parse(readFileSync(join(MONITORING_DIR, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { volumes?: string[]; ports?: string[] }>;
    };
    const mounts = Object.entries(compose.services).flatMap(([name, service]) =>
      (service.volumes ?? [])
        .map((volume) => volume.split(':')[0])
        .filter((source) => source.startsWith('.')) // named volumes are Docker's
        .map((source) => [name, source]),
    );
    expect(mounts.length).toBeGreaterThanOrEqual(6);
    for (const [name, source] of mounts) {
      expect(existsSync(resolve(MONITORING_DIR, source)), `${name}: ${source}`).toBe(true);
    }
    expect(compose.services.prometheus.ports).toEqual(['9090:9090']);
    expect(compose.services.pushgateway.ports).toEqual(['9091:9091']);
    expect(compose.services.alertmanager.ports).toEqual(['9093:9093']);
    expect(compose.services.grafana.ports).toEqual(['3000:3000']);
    const provider = parse(
      readFileSync(
        join(MONITORING_DIR, 'grafana', 'provisioning', 'dashboards', 'churn.yml'),
        'utf8',
      ),
    ) as { providers: Array<{ options: { path: string } }> };
    expect(compose.services.grafana.volumes).toContain(
      `./grafana/dashboards:${provider.providers[0].options.path}:ro`,
    );
  });
});
