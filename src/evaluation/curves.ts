/**
 * What a report draws of a model's holdout: the ROC and precision-recall curves thinned to a
 * few hundred points, and the score histogram of each class. Small enough to keep beside every
 * model, so a report can be drawn long after the training rows are gone.
 */
import { checkInputs } from './inputs.js';
import { averagePrecision, precisionRecallCurve, rocCurve } from './ranking.js';

export interface EvaluationCurves {
  rows: number;
  positives: number;
  /** [false positive rate, true positive rate], from (0, 0) to (1, 1). */
  roc: Array<[number, number]>;
  /** [recall, precision], from recall 0. */
  precisionRecall: Array<[number, number]>;
  averagePrecision: number;
  /** Scores counted into bins of equal width from 0 to 1, per class. */
  scoreHistogram: { bins: number; negatives: number[]; positives: number[] };
}

const MAX_POINTS = 200;
const HISTOGRAM_BINS = 20;

export function evaluationCurves(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): EvaluationCurves {
  const { positives } = checkInputs(labels, scores, { bothClasses: true });
  const roc = rocCurve(labels, scores).map(
    (point) => [point.falsePositiveRate, point.truePositiveRate] as [number, number],
  );
  const precisionRecall = precisionRecallCurve(labels, scores).map(
    (point) => [point.recall, point.precision] as [number, number],
  );
  const negativesHistogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  const positivesHistogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor(scores[i] * HISTOGRAM_BINS)));
    (labels[i] === 1 ? positivesHistogram : negativesHistogram)[bin]++;
  }
  return {
    rows: scores.length,
    positives,
    roc: thin(roc),
    precisionRecall: thin(precisionRecall),
    averagePrecision: round(averagePrecision(labels, scores)),
    scoreHistogram: {
      bins: HISTOGRAM_BINS,
      negatives: negativesHistogram,
      positives: positivesHistogram,
    },
  };
}

/**
 * Keeps the first and last points and each point at least 1/MAX_POINTS away (in either
 * coordinate) from the last one kept: the drawn curve stays within a pixel of the full one.
 */
export function thin(points: Array<[number, number]>): Array<[number, number]> {
  if (points.length <= 2) return points.map(roundPoint);
  const step = 1 / MAX_POINTS;
  const kept = [points[0]];
  for (let i = 1; i < points.length - 1; i++) {
    const last = kept[kept.length - 1];
    if (Math.abs(points[i][0] - last[0]) >= step || Math.abs(points[i][1] - last[1]) >= step) {
      kept.push(points[i]);
    }
  }
  kept.push(points[points.length - 1]);
  return kept.map(roundPoint);
}

const round = (value: number) => Number(value.toFixed(5));
const roundPoint = ([x, y]: [number, number]): [number, number] => [round(x), round(y)];
