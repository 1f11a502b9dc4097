/**
 * What a report draws of a model's holdout: the ROC and precision-recall curves thinned to a
 * few hundred points, and the score histogram of each class. Small enough to keep beside every
 * model, so a report can be drawn long after the training rows are gone.
 */
import { checkInputs } from './inputs.js';
import { brierScore, logLoss } from './probabilistic.js';
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
  /**
   * Cumulative gains: [share of rows, share of churners among them], rows taken from the highest
   * score down, from (0, 0) to (1, 1). Absent for models saved before it was kept.
   */
  gains?: Array<[number, number]>;
  /** Reliability: per band of scores of equal width, the mean score and the churn rate. */
  reliability?: ReliabilityBin[];
  brierScore?: number;
  logLoss?: number;
}

export interface ReliabilityBin {
  /** The band's scores are in [low, low + 1/bins). */
  low: number;
  rows: number;
  meanScore: number;
  churnRate: number;
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
    gains: thin(cumulativeGains(labels, scores)),
    reliability: reliabilityBins(labels, scores),
    brierScore: round(brierScore(labels, scores)),
    logLoss: round(logLoss(labels, scores)),
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
 * The share of churners found by calling the highest-scored rows first, at every share of rows
 * called. Tied scores are taken together, in one straight segment.
 */
export function cumulativeGains(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): Array<[number, number]> {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => scores[b] - scores[a],
  );
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  const points: Array<[number, number]> = [[0, 0]];
  let found = 0;
  for (let k = 0; k < order.length; k++) {
    found += labels[order[k]];
    const last = k === order.length - 1;
    if (last || scores[order[k + 1]] !== scores[order[k]]) {
      points.push([(k + 1) / order.length, positives > 0 ? found / positives : 0]);
    }
  }
  return points;
}

/** The share of all churners among the top `share` of rows by score, read off the gains curve. */
export function gainAt(gains: Array<[number, number]>, share: number): number {
  for (let k = 1; k < gains.length; k++) {
    const [x1, y1] = gains[k];
    if (x1 >= share) {
      const [x0, y0] = gains[k - 1];
      return x1 === x0 ? y1 : y0 + ((share - x0) / (x1 - x0)) * (y1 - y0);
    }
  }
  return 1;
}

const RELIABILITY_BINS = 10;

/** Rows counted into ten score bands of equal width, with each band's mean score and churn rate. */
export function reliabilityBins(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): ReliabilityBin[] {
  const rows = new Array<number>(RELIABILITY_BINS).fill(0);
  const scoreSum = new Array<number>(RELIABILITY_BINS).fill(0);
  const churned = new Array<number>(RELIABILITY_BINS).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const bin = Math.min(RELIABILITY_BINS - 1, Math.floor(scores[i] * RELIABILITY_BINS));
    rows[bin]++;
    scoreSum[bin] += scores[i];
    churned[bin] += labels[i];
  }
  return rows.flatMap((count, bin) =>
    count === 0
      ? []
      : [
          {
            low: bin / RELIABILITY_BINS,
            rows: count,
            meanScore: round(scoreSum[bin] / count),
            churnRate: round(churned[bin] / count),
          },
        ],
  );
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
