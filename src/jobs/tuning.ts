/**
 * Out-of-bag tuning (`churn train --tune`): a forest is grown for each setting of a small grid,
 * each judged by the ROC AUC of its out-of-bag predictions, which cost nothing extra and hold
 * out nothing; the best forest is kept as it is. The grid and its figures go into the model's
 * metadata and report.
 */
import { secondsSince } from '../common/elapsed.js';
import { rocAuc } from '../evaluation/index.js';
import {
  trainForest,
  type ForestParams,
  type MaxFeatures,
  type TrainedForest,
  type TrainingSet,
} from '../forest/index.js';
import type { Logger } from '../logging/logger.js';
import type { TuningRecord, TuningTrial } from '../registry/registry.js';

/** The settings tried, chosen by measurement on the benchmark data sets (docs/model.md). */
export const TUNING_GRID: ReadonlyArray<{ minSamplesLeaf: number; maxFeatures: MaxFeatures }> = [
  3, 5, 10, 20,
].flatMap((minSamplesLeaf) =>
  (['sqrt', 0.5] as const).map((maxFeatures) => ({ minSamplesLeaf, maxFeatures })),
);

/** ROC AUC of the rows some tree left out; 0 when those rows are all of one class. */
export function outOfBagAuc(labels: Uint8Array, oobScores: Float64Array): number {
  const y: number[] = [];
  const p: number[] = [];
  oobScores.forEach((score, row) => {
    if (Number.isNaN(score)) return;
    y.push(labels[row]);
    p.push(score);
  });
  const positives = y.reduce((a, b) => a + b, 0);
  return positives === 0 || positives === y.length ? 0 : rocAuc(y, p);
}

/** Grows a forest per grid setting and keeps the one whose out-of-bag AUC is best. */
export async function tuneForest(
  train: TrainingSet,
  base: Partial<ForestParams>,
  log: Logger,
  onTrial?: (done: number, total: number) => void,
): Promise<{ trained: TrainedForest; tuning: TuningRecord }> {
  const trials: TuningTrial[] = [];
  let best: TrainedForest | null = null;
  let chosen = 0;
  for (const [index, setting] of TUNING_GRID.entries()) {
    const started = performance.now();
    const trained = await trainForest(train, { ...base, ...setting });
    const trial = {
      ...setting,
      outOfBagAuc: Number(outOfBagAuc(train.labels, trained.oobScores).toFixed(6)),
      seconds: secondsSince(started),
    };
    trials.push(trial);
    log.debug('tuning trial', { ...trial });
    if (best === null || trial.outOfBagAuc > trials[chosen].outOfBagAuc) {
      best = trained;
      chosen = index;
    }
    onTrial?.(index + 1, TUNING_GRID.length);
  }
  log.info('tuned on out-of-bag AUC', {
    ...TUNING_GRID[chosen],
    outOfBagAuc: trials[chosen].outOfBagAuc,
  });
  return { trained: best!, tuning: { metric: 'outOfBagAuc', trials, chosen } };
}
