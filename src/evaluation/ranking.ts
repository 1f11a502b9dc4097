/**
 * Metrics of how well scores rank positives above negatives, at every threshold at once:
 * ROC AUC (exact, ties averaged), the ROC and precision-recall curves, average precision.
 * A row is predicted positive when its score is at least the threshold.
 */
import { checkInputs } from './inputs.js';

export interface RocPoint {
  threshold: number;
  falsePositiveRate: number;
  truePositiveRate: number;
}

export interface PrecisionRecallPoint {
  threshold: number;
  precision: number;
  recall: number;
}

/**
 * Probability that a random positive scores above a random negative, ties counting half: the
 * Mann-Whitney U statistic over the product of class sizes, from average ranks.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { positives, negatives } = checkInputs(labels, scores, { bothClasses: true });
  const order = byScoreAscending(scores);
  let rankSumOfPositives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) rankSumOfPositives += averageRank;
    i = j + 1;
  }
  return (rankSumOfPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Cumulative true and false positives at each distinct score, from the highest down. */
export function cumulativeCounts(labels: ArrayLike<number>, scores: ArrayLike<number>) {
  const order = byScoreAscending(scores).reverse();
  const thresholds: number[] = [];
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i]] === 1) tp++;
    else fp++;
    const last = i + 1 === order.length || scores[order[i + 1]] !== scores[order[i]];
    if (last) {
      thresholds.push(scores[order[i]]);
      truePositives.push(tp);
      falsePositives.push(fp);
    }
  }
  return { thresholds, truePositives, falsePositives };
}

/** One point per distinct score, plus (0, 0) at an infinite threshold, as scikit-learn. */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocPoint[] {
  const { positives, negatives } = checkInputs(labels, scores, { bothClasses: true });
  const { thresholds, truePositives, falsePositives } = cumulativeCounts(labels, scores);
  const points: RocPoint[] = [{ threshold: Infinity, falsePositiveRate: 0, truePositiveRate: 0 }];
  thresholds.forEach((threshold, i) => {
    points.push({
      threshold,
      falsePositiveRate: falsePositives[i] / negatives,
      truePositiveRate: truePositives[i] / positives,
    });
  });
  return points;
}

/**
 * (precision 1, recall 0) at an infinite threshold, so the curve starts at the left edge, then
 * one point per distinct score from the highest down, as scikit-learn.
 */
export function precisionRecallCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): PrecisionRecallPoint[] {
  const { positives } = checkInputs(labels, scores, { positives: true });
  const { thresholds, truePositives, falsePositives } = cumulativeCounts(labels, scores);
  const points: PrecisionRecallPoint[] = [{ threshold: Infinity, precision: 1, recall: 0 }];
  for (let i = 0; i < thresholds.length; i++) {
    points.push({
      threshold: thresholds[i],
      precision: truePositives[i] / (truePositives[i] + falsePositives[i]),
      recall: truePositives[i] / positives,
    });
  }
  return points;
}

/** Σ (recall_n − recall_{n−1}) × precision_n over the curve: no interpolation, as scikit-learn. */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const curve = precisionRecallCurve(labels, scores);
  let sum = 0;
  for (let i = 1; i < curve.length; i++) {
    sum += (curve[i].recall - curve[i - 1].recall) * curve[i].precision;
  }
  return sum;
}

function byScoreAscending(scores: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  // Ties keep their index order, so curves are the same on every run.
  return order.sort((a, b) => scores[a] - scores[b] || a - b);
}
