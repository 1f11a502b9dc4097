import { binary } from './prerequisites.js';

/** Debian's binaries of the monitoring stack, as .ci/run installs them. */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';
export const AMTOOL_BIN = '/usr/bin/amtool';
export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export const PUSHGATEWAY = [
  binary(PUSHGATEWAY_BIN, 'prometheus-pushgateway'),
  binary(PROMTOOL_BIN, 'prometheus'),
];

/** Everything `npm run monitoring:up` starts locally, and the tools that check its configuration. */
export const MONITORING_STACK = [
  binary(PROMETHEUS_BIN, 'prometheus'),
  ...PUSHGATEWAY,
  binary(ALERTMANAGER_BIN, 'prometheus-alertmanager'),
  binary(AMTOOL_BIN, 'prometheus-alertmanager'),
];
