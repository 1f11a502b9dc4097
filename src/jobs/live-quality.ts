/**
 * Whether a model still performs as it did on its holdout rows: its ROC AUC and F2 on a labelled
 * batch against its holdout figures, by the margin `quality.maxDrop` that the
 * `ModelPerformanceDegraded` alert also uses; and whether a new champion is weak by the course's
 * limits (`quality.minF2`, `quality.minRocAuc`), those of `LowF2Score` and `LowAUC`.
 */
import { METRIC_LABELS, type ModelMetrics } from '../evaluation/index.js';
import type { Logger } from '../logging/logger.js';

export const WATCHED_METRICS = ['rocAuc', 'f2'] as const;

export interface Degradation {
  metric: (typeof WATCHED_METRICS)[number];
  live: number;
  holdout: number;
  /** Holdout minus live: how far it fell. */
  drop: number;
}

export function degradations(
  live: ModelMetrics,
  holdout: ModelMetrics,
  maxDrop: number,
): Degradation[] {
  return WATCHED_METRICS.map((metric) => ({
    metric,
    live: live[metric],
    holdout: holdout[metric],
    drop: holdout[metric] - live[metric],
  })).filter((figure) => figure.drop > maxDrop);
}

export function logDegradations(
  degraded: Degradation[],
  version: string,
  file: string,
  maxDrop: number,
  log: Logger,
): void {
  for (const { metric, live, holdout, drop } of degraded) {
    log.warn(
      `${version} performs worse on ${file} than on its holdout rows: ${METRIC_LABELS[metric]} ` +
        `${live.toFixed(4)} against ${holdout.toFixed(4)}, ${drop.toFixed(4)} lower (more than ` +
        `quality.maxDrop ${maxDrop}): retrain it`,
      { metric, live: Number(live.toFixed(4)), holdout: Number(holdout.toFixed(4)) },
    );
  }
}

/** Warns when a model about to be the champion is below the limits its alerts fire at. */
export function warnWeakChampion(
  metrics: ModelMetrics,
  limits: { minRocAuc: number; minF2: number },
  version: string,
  log: Logger,
): void {
  const weak: string[] = [];
  if (metrics.rocAuc < limits.minRocAuc) {
    weak.push(`ROC AUC ${metrics.rocAuc.toFixed(4)} (below quality.minRocAuc ${limits.minRocAuc})`);
  }
  if (metrics.f2 < limits.minF2) {
    weak.push(`F2 ${metrics.f2.toFixed(4)} (below quality.minF2 ${limits.minF2})`);
  }
  if (weak.length > 0) {
    log.warn(`the champion ${version} is weak on its holdout rows: ${weak.join(', ')}`, {
      version,
    });
  }
}
