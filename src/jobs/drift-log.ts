/**
 * What a batch's drift tells the log: a warning for each figure past the thresholds the alert
 * rules also use (drift.warnPsi for FeatureDrift and ScoreDrift, drift.share for DatasetDrift),
 * and every figure at info level.
 */
import type { DriftReport, DriftThresholds } from '../evaluation/index.js';
import type { Logger } from '../logging/logger.js';

export interface DriftSettings extends DriftThresholds {
  /** Population stability index above which a feature or the scores are reported as drifted. */
  warnPsi: number;
}

export function logDrift(
  report: DriftReport,
  settings: DriftSettings,
  file: string,
  log: Logger,
): void {
  const shifted: Array<[string, number]> = Object.entries(report.features)
    .filter(([, feature]) => feature.psi > settings.warnPsi)
    .map(([name, feature]) => [name, feature.psi]);
  if (report.score !== null && report.score > settings.warnPsi) {
    shifted.push(['churn score', report.score]);
  }
  if (shifted.length > 0) {
    log.warn(
      `${file} drifted from the training data: ` +
        shifted.map(([name, value]) => `${name} PSI ${value}`).join(', ') +
        ` (above ${settings.warnPsi})`,
      { drifted: shifted.length },
    );
  }
  const drifted = Object.entries(report.features).filter(([, feature]) => feature.drifted);
  if (report.detected) {
    log.warn(
      `${file} drifted as a whole: ${drifted.length} of ${Object.keys(report.features).length} ` +
        `features by their distance (${drifted.map(([name]) => name).join(', ')}), ` +
        `from a share of ${settings.share}`,
      { share: report.share },
    );
  }
  log.info('drift against the training data', {
    share: report.share,
    score: report.score,
    ...Object.fromEntries(
      Object.entries(report.features).map(([name, feature]) => [
        name,
        `psi ${feature.psi} ${feature.method} ${feature.distance ?? 'none'}${feature.drifted ? ' drifted' : ''}`,
      ]),
    ),
  });
}
