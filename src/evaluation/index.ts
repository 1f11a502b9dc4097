export {
  accuracy,
  confusionMatrix,
  fBeta,
  precision,
  recall,
  type ConfusionMatrix,
} from './classification.js';
export { brierScore, logLoss } from './probabilistic.js';
export {
  averagePrecision,
  precisionRecallCurve,
  rocAuc,
  rocCurve,
  type PrecisionRecallPoint,
  type RocPoint,
} from './ranking.js';
export { rate, type Rating } from './ratings.js';
export { tuneThreshold, type TunedThreshold } from './threshold.js';
export {
  evaluateModel,
  METRIC_LABELS,
  RATED_METRICS,
  type ModelEvaluation,
  type ModelMetrics,
  type RatedMetric,
} from './model-metrics.js';
export { evaluationCurves, type EvaluationCurves } from './curves.js';
export { BatchDrift, DriftCounter, psi, type DriftColumn } from './drift.js';
export {
  profileColumn,
  profileScores,
  SCORE_EDGES,
  type ColumnProfile,
  type ProfiledColumn,
} from './profile.js';
