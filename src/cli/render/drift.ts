import type { ChalkInstance } from 'chalk';
import type { DriftReport } from '../../evaluation/index.js';

/** `drift: 3 of 9 features (33%): idade, saldo_conta, pais` — the batch's verdict in one line. */
export function driftLine(drift: DriftReport, c: ChalkInstance): string {
  const drifted = Object.entries(drift.features)
    .filter(([, feature]) => feature.drifted)
    .sort(([, a], [, b]) => (b.distance ?? Infinity) - (a.distance ?? Infinity))
    .map(([name]) => name);
  const total = Object.keys(drift.features).length;
  const share = `${drifted.length} of ${total} features (${(drift.share * 100).toFixed(0)}%)`;
  if (drifted.length === 0) return `drift: ${c.green('none')} of ${total} features`;
  const names = drifted.join(', ');
  return drift.detected
    ? `drift: ${c.red(share)}, the batch as a whole: ${names}`
    : `drift: ${c.yellow(share)}: ${names}`;
}
