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
export { evaluationCurves, gainAt, type EvaluationCurves, type ReliabilityBin } from './curves.js';
export {
  BatchDrift,
  DriftCounter,
  PointCounter,
  type DriftColumn,
  type DriftMethod,
  type DriftReport,
  type DriftThresholds,
  type FeatureDrift,
} from './drift.js';
export { jensenShannon, psi, wasserstein, type PointCounts } from './distances.js';
export {
  profileColumn,
  profileScores,
  DISTRIBUTION_POINTS,
  SCORE_EDGES,
  type ColumnProfile,
  type ProfiledColumn,
  type ValueDistribution,
} from './profile.js';
