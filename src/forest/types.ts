/**
 * What the forest takes and gives. It knows columns of numbers and integer codes, never files,
 * column names' meaning or the CLI.
 */

/** A numeric feature; NaN marks a missing value. */
export interface NumericColumn {
  name: string;
  kind: 'numeric';
  values: Float64Array;
}

/** A categorical feature as integer codes 0..categories-1; -1 marks a missing value. */
export interface CategoricalColumn {
  name: string;
  kind: 'categorical';
  codes: Int32Array;
  categories: number;
}

export type FeatureColumn = NumericColumn | CategoricalColumn;

export interface TrainingSet {
  features: FeatureColumn[];
  /** 1 for the positive class (churned), 0 otherwise. */
  labels: Uint8Array;
  /** Optional per-row weights; 1 each when absent. */
  weights?: Float64Array;
}

/** What a fitted forest records of each feature it was trained on. */
export interface FeatureInfo {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Number of category codes (0 for numeric features). */
  categories: number;
}

export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

export interface ForestParams {
  trees: number;
  maxDepth: number | null;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  maxFeatures: MaxFeatures;
  classWeight: 'balanced' | 'none';
  seed: number;
  /** Draw each tree's rows with replacement (a random forest); false gives every tree all rows. */
  bootstrap: boolean;
  /** Worker threads; null uses every available core. Never changes the result. */
  threads: number | null;
  /** Highest number of bins per numeric feature, missing bin excluded (at most 255). */
  maxBins: number;
  /** Categories seen fewer times than this share one pooled bin. */
  minCategoryCount: number;
  /** Categories with fewer rows than this in a node are ordered there as one pooled group. */
  minCategoryRows: number;
  /** Pseudo-rows at the node's churn rate added to each category before they are ordered. */
  categorySmoothing: number;
  /** Most categories (or pooled groups) on the smaller side of a categorical split. */
  maxCategorySplit: number;
}

/** What defines a model; the thread count only changes how fast it is grown. */
export type ModelParams = Omit<ForestParams, 'threads'>;

export const DEFAULT_PARAMS: ForestParams = {
  trees: 100,
  maxDepth: null,
  minSamplesLeaf: 1,
  minSamplesSplit: 2,
  maxFeatures: 'sqrt',
  classWeight: 'none',
  seed: 0,
  bootstrap: true,
  threads: null,
  maxBins: 255,
  minCategoryCount: 10,
  minCategoryRows: 10,
  categorySmoothing: 0,
  maxCategorySplit: 256,
};

/** Number of features examined at each node for a maxFeatures setting. */
export function featuresPerNode(maxFeatures: MaxFeatures, featureCount: number): number {
  let count: number;
  if (maxFeatures === 'sqrt') count = Math.floor(Math.sqrt(featureCount));
  else if (maxFeatures === 'log2') count = Math.floor(Math.log2(featureCount));
  else if (maxFeatures === 'all') count = featureCount;
  else if (maxFeatures < 1) count = Math.floor(maxFeatures * featureCount);
  else count = Math.floor(maxFeatures);
  return Math.min(featureCount, Math.max(1, count));
}
