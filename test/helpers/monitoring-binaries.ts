import { existsSync } from 'node:fs';

/** Debian's binaries of the monitoring stack, as .ci/run installs them. */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';
export const AMTOOL_BIN = '/usr/bin/amtool';
export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';
const ALL = [
  PROMETHEUS_BIN,
  PROMTOOL_BIN,
  AMTOOL_BIN,
  PUSHGATEWAY_BIN,
  '/usr/bin/prometheus-alertmanager',
];

export const HAS_MONITORING_BINARIES = ALL.every((path) => existsSync(path));

if (!HAS_MONITORING_BINARIES) {
  console.warn(
    `skipping monitoring stack tests: one of ${ALL.join(', ')} is missing ` +
      '(Debian: apt-get install prometheus prometheus-pushgateway prometheus-alertmanager)',
  );
}
