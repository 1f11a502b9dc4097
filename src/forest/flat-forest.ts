/**
 * A forest as scoring and explaining read it: every tree's nodes concatenated into one set of
 * flat arrays, with the per-feature tables and, where it applies, the branch-free walk's tables
 * (lockstep.ts builds them). The layout's one definition, beside the helper that makes a copy of
 * each of its arrays.
 */
import type { FeatureInfo } from './types.js';

export interface FlatForest {
  trees: number;
  /** First node of each tree. */
  roots: Int32Array;
  feature: Int32Array;
  /** Absolute index of a split's left child; the right child follows it. */
  left: Int32Array;
  missingLeft: Uint8Array;
  /** Leaf probability, numeric threshold, or absolute offset of a categorical split's bitset. */
  value: Float64Array;
  categoryBits: Uint32Array;
  /**
   * Training rows that reached each node, which explanations weigh a split's sides by; null for
   * a forest saved before it was recorded (format version 1), which scores but cannot explain.
   */
  cover: Int32Array | null;
  /** Per feature: 1 when categorical. */
  categorical: Uint8Array;
  /** Per feature: the number of category codes it knows (0 for numeric features). */
  categories: Int32Array;
  /** The same trees laid out for the branch-free walk, when every category set fits a mask. */
  lockstep: LockstepTables | null;
}

/** The branch-free walk's tables, one entry per node (lockstep.ts says what each holds). */
export interface LockstepTables {
  step: Int32Array;
  next: Int32Array;
  split: Float64Array;
}

/** The nodes of tree t. */
export function treeSize(forest: FlatForest, t: number): number {
  const end = t + 1 < forest.trees ? forest.roots[t + 1] : forest.feature.length;
  return end - forest.roots[t];
}

/** The nodes of the forest's largest tree, for buffers that hold one tree at a time. */
export function largestTree(forest: FlatForest): number {
  let largest = 0;
  for (let t = 0; t < forest.trees; t++) largest = Math.max(largest, treeSize(forest, t));
  return largest;
}

export type ForestArray = Int32Array | Uint8Array | Uint32Array | Float64Array;

/** The name of each of a flat forest's arrays, the lockstep tables' included. */
export type ForestArrayName =
  Exclude<keyof FlatForest, 'trees' | 'lockstep'> | keyof LockstepTables;

/** The per-feature tables scoring reads: which features are categorical, and their code counts. */
export function featureTables(
  features: FeatureInfo[],
): Pick<FlatForest, 'categorical' | 'categories'> {
  return {
    categorical: Uint8Array.from(features, (f) => (f.kind === 'categorical' ? 1 : 0)),
    categories: Int32Array.from(features, (f) => f.categories),
  };
}

/**
 * The forest with each of its arrays replaced by what `change` makes of it (a copy, a view of
 * shared memory): the one place that lists them, so no copy forgets one.
 */
export function mapArrays(
  forest: FlatForest,
  change: <T extends ForestArray>(array: T, name: ForestArrayName) => T,
): FlatForest {
  const { lockstep } = forest;
  return {
    trees: forest.trees,
    roots: change(forest.roots, 'roots'),
    feature: change(forest.feature, 'feature'),
    left: change(forest.left, 'left'),
    missingLeft: change(forest.missingLeft, 'missingLeft'),
    value: change(forest.value, 'value'),
    categoryBits: change(forest.categoryBits, 'categoryBits'),
    cover: forest.cover && change(forest.cover, 'cover'),
    categorical: change(forest.categorical, 'categorical'),
    categories: change(forest.categories, 'categories'),
    lockstep: lockstep && {
      step: change(lockstep.step, 'step'),
      next: change(lockstep.next, 'next'),
      split: change(lockstep.split, 'split'),
    },
  };
}
