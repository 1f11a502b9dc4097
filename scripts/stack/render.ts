/**
 * Local copies of the stack's configuration. The committed files name the docker-compose hosts
 * (prometheus:9090, pushgateway:9091, …); without Docker every service listens on 127.0.0.1 on
 * its own port, so the copies differ only in those addresses and in absolute rule-file paths.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

/** A compose host name → the `host:port` it is reachable at locally. */
export type Addresses = Record<string, string>;

export interface PrometheusOptions {
  addresses: Addresses;
  /** Where the committed prometheus.yml lies; its rule files are resolved against it. */
  sourcePath: string;
  /** Faster scraping and rule evaluation, for tests. */
  interval?: string;
}

export function renderPrometheusConfig(text: string, options: PrometheusOptions): string {
  const config = parse(text) as PrometheusConfig;
  if (options.interval) {
    config.global = {
      ...config.global,
      scrape_interval: options.interval,
      evaluation_interval: options.interval,
    };
  }
  config.rule_files = (config.rule_files ?? []).map((file) =>
    isAbsolute(file) ? file : resolve(dirname(options.sourcePath), file),
  );
  for (const alerting of config.alerting?.alertmanagers ?? []) {
    for (const staticConfig of alerting.static_configs ?? [])
      relocate(staticConfig, options.addresses);
  }
  for (const job of config.scrape_configs ?? []) {
    for (const staticConfig of job.static_configs ?? []) relocate(staticConfig, options.addresses);
  }
  return stringify(config);
}

/** Points every webhook at its local address. */
export function renderAlertmanagerConfig(text: string, addresses: Addresses): string {
  const config = parse(text) as AlertmanagerConfig;
  for (const receiver of config.receivers ?? []) {
    for (const webhook of receiver.webhook_configs ?? []) {
      const url = new URL(webhook.url);
      const local = addresses[url.host];
      if (local) webhook.url = `${url.protocol}//${local}${url.pathname}${url.search}`;
    }
  }
  return stringify(config);
}

function relocate(staticConfig: { targets?: string[] }, addresses: Addresses): void {
  staticConfig.targets = (staticConfig.targets ?? []).map((target) => addresses[target] ?? target);
}

interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  alerting?: { alertmanagers?: Array<{ static_configs?: Array<{ targets?: string[] }> }> };
  scrape_configs?: Array<{ static_configs?: Array<{ targets?: string[] }> }>;
}

interface AlertmanagerConfig {
  receivers?: Array<{ webhook_configs?: Array<{ url: string }> }>;
}
