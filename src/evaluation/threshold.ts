/**
 * The decision threshold that maximizes F-beta on labelled scores (out-of-bag predictions in
 * training, so no data is held back for it). Every distinct score is a candidate; all are
 * evaluated in one pass over the rows sorted by score.
 */
import { fBetaFromCounts } from './classification.js';
import { checkInputs } from './inputs.js';

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
  const order = Int32Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => scores[b] - scores[a] || a - b,
  );
  const betaSquared = beta * beta;
  let best: TunedThreshold = { threshold: Infinity, fBeta: 0 };
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i]] === 1) tp++;
    else fp++;
    const lastOfTie = i + 1 === order.length || scores[order[i + 1]] !== scores[order[i]];
    if (!lastOfTie) continue;
    const score = fBetaFromCounts(tp, fp, positives - tp, betaSquared);
    // Strictly better only: among equal F-beta the higher threshold, flagging fewer customers, wins.
    if (score > best.fBeta) best = { threshold: scores[order[i]], fBeta: score };
  }
  return best;
}
