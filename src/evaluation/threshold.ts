/**
 * The decision threshold that maximizes F-beta on labelled scores (out-of-bag predictions in
 * training, so no data is held back for it). Every distinct score is a candidate; all are
 * evaluated from one pass over the rows sorted by score.
 */
import { fBetaFromCounts } from './classification.js';
import { checkInputs } from './inputs.js';
import { cumulativeCounts } from './ranking.js';

export interface TunedThreshold {
  threshold: number;
  fBeta: number;
}

export function tuneThreshold(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  beta = 2,
): TunedThreshold {
  const { positives } = checkInputs(labels, scores, { positives: true });
  const { thresholds, truePositives, falsePositives } = cumulativeCounts(labels, scores);
  const betaSquared = beta * beta;
  let best: TunedThreshold = { threshold: Infinity, fBeta: 0 };
  thresholds.forEach((threshold, i) => {
    const tp = truePositives[i];
    const score = fBetaFromCounts(tp, falsePositives[i], positives - tp, betaSquared);
    // Strictly better only: among equal F-beta the higher threshold, flagging fewer customers, wins.
    if (score > best.fBeta) best = { threshold, fBeta: score };
  });
  return best;
}
