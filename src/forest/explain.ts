/**
 * Explanations of a forest's probabilities: for each row, one contribution per feature which,
 * added to the base value (the forest's expected probability over its training rows), gives the
 * row's probability. Two methods:
 *
 *   exact  path-dependent TreeSHAP, the Shapley values of the features (explain-exact.ts)
 *   fast   path attribution (Saabas), at about 1.4 times the scoring walk (explain-paths.ts)
 *
 * Both work on the forest's raw probability, on the rows as scoring sees them (missing values and
 * unseen categories go where scoring sends them), and give scoring's probabilities bit for bit.
 */
import { ExactTreeShap, ExplanationUnavailableError } from './explain-exact.js';
import { nodeExpectations, PathAttribution } from './explain-paths.js';
import { largestTree, type FlatForest } from './flat-forest.js';
import { predictRange } from './predictor.js';

export const EXPLAIN_METHODS = ['exact', 'fast'] as const;
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];

export { ExplanationUnavailableError };

export interface Explanation {
  /** Each row's probability, exactly as scoring gives it. */
  scores: Float64Array;
  /** One per feature, row by row: contributions[row × features + f], in probability units. */
  contributions: Float64Array;
  /** The same for every row: base value + the row's contributions = its probability. */
  baseValue: number;
}

/** Explains rows on one thread, reusing its buffers from call to call. */
export interface RowExplainer {
  /** Writes scores[row] and contributions[row × features + f] for rows start..end-1. */
  explain(
    columns: Float64Array[],
    start: number,
    end: number,
    scores: Float64Array,
    contributions: Float64Array,
  ): void;
}

const explainers = new WeakMap<FlatForest, Map<ExplainMethod, RowExplainer>>();

/**
 * This thread's explainer of a forest by a method, made once: its tables (path attribution's
 * credit per node) and buffers are reused by every call, which run one at a time.
 */
export function rowExplainer(forest: FlatForest, method: ExplainMethod): RowExplainer {
  let byMethod = explainers.get(forest);
  if (!byMethod) explainers.set(forest, (byMethod = new Map()));
  let explainer = byMethod.get(method);
  if (!explainer) {
    explainer = method === 'fast' ? new PathAttribution(forest) : exactExplainer(forest);
    byMethod.set(method, explainer);
  }
  return explainer;
}

function exactExplainer(forest: FlatForest): RowExplainer {
  const shap = new ExactTreeShap(forest);
  return {
    explain(columns, start, end, scores, contributions) {
      predictRange(forest, columns, start, end, scores);
      shap.explain(columns, start, end, contributions);
    },
  };
}

const baseValues = new WeakMap<FlatForest, number>();

/** The mean over trees of each tree's expected value: what a row's contributions add to. */
export function baseValue(forest: FlatForest): number {
  let base = baseValues.get(forest);
  if (base === undefined) {
    if (!forest.cover) throw new ExplanationUnavailableError();
    const expected = new Float64Array(largestTree(forest));
    base = 0;
    for (let t = 0; t < forest.trees; t++) {
      nodeExpectations(forest, t, expected);
      base += expected[0];
    }
    base /= forest.trees;
    baseValues.set(forest, base);
  }
  return base;
}
