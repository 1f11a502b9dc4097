/**
 * The figures a trained model is judged and published by: ranking quality, the hard-decision
 * metrics at its tuned threshold, and the course's rating of each.
 */
import {
  accuracy,
  confusionMatrix,
  fBeta,
  precision,
  recall,
  type ConfusionMatrix,
} from './classification.js';
import { rocAuc } from './ranking.js';
import { rate, type Rating } from './ratings.js';

/** Keys as `churn train --json` prints them and the dashboards name them. */
export interface ModelMetrics {
  rocAuc: number;
  f2: number;
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
  threshold: number;
}

/** How people call each metric, in tables and reports. */
export const METRIC_LABELS: Record<keyof ModelMetrics, string> = {
  rocAuc: 'ROC AUC',
  f2: 'F2',
  f1: 'F1',
  precision: 'precision',
  recall: 'recall',
  accuracy: 'accuracy',
  threshold: 'threshold',
};

export type RatedMetric = Exclude<keyof ModelMetrics, 'threshold'>;

export interface ModelEvaluation {
  metrics: ModelMetrics;
  ratings: Record<RatedMetric, Rating>;
  confusionMatrix: ConfusionMatrix;
}

export const RATED_METRICS: readonly RatedMetric[] = [
  'rocAuc',
  'f2',
  'f1',
  'precision',
  'recall',
  'accuracy',
];

export function evaluateModel(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): ModelEvaluation {
  const matrix = confusionMatrix(labels, scores, threshold);
  const metrics: ModelMetrics = {
    rocAuc: rocAuc(labels, scores),
    f2: fBeta(matrix, 2),
    f1: fBeta(matrix, 1),
    precision: precision(matrix),
    recall: recall(matrix),
    accuracy: accuracy(matrix),
    threshold,
  };
  const ratings = Object.fromEntries(
    RATED_METRICS.map((metric) => [metric, rate(metrics[metric])]),
  ) as Record<RatedMetric, Rating>;
  return { metrics, ratings, confusionMatrix: matrix };
}
