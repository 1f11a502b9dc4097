export {
  Forest,
  trainForest,
  type BatchExplainer,
  type BatchScorer,
  type TrainedForest,
  type TrainOptions,
} from './forest.js';
export type { ForestParts, SerializedForest } from './serialize.js';
export { encodeArrayInSlices } from './encoding.js';
export {
  DEFAULT_PARAMS,
  featuresPerNode,
  type CategoricalColumn,
  type FeatureColumn,
  type FeatureInfo,
  type ForestParams,
  type MaxFeatures,
  type ModelParams,
  type NumericColumn,
  type TrainingSet,
} from './types.js';
export {
  EXPLAIN_METHODS,
  ExplanationUnavailableError,
  type ExplainMethod,
  type Explanation,
} from './explain.js';
