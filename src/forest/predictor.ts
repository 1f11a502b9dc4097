/**
 * Scoring: all trees concatenated into one set of flat arrays, walked on raw values. Rows are
 * scored in blocks, tree by tree within a block, so a tree's nodes stay in cache while many rows
 * pass through it. Each row's tree values are summed in tree order, so results do not depend on
 * how rows are split into blocks or threads.
 */
import { addTreeValuesLockstep, lockstepTables, type LockstepTables } from './lockstep.js';
import type { Tree } from './tree.js';
import type { FeatureColumn, FeatureInfo } from './types.js';

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

const BLOCK_ROWS = 2048;

/** The per-feature tables scoring reads: which features are categorical, and their code counts. */
export function featureTables(
  features: FeatureInfo[],
): Pick<FlatForest, 'categorical' | 'categories'> {
  return {
    categorical: Uint8Array.from(features, (f) => (f.kind === 'categorical' ? 1 : 0)),
    categories: Int32Array.from(features, (f) => f.categories),
  };
}

export function flatten(trees: Tree[], features: FeatureInfo[]): FlatForest {
  const total = trees.reduce((sum, tree) => sum + tree.feature.length, 0);
  const totalBits = trees.reduce((sum, tree) => sum + tree.categoryBits.length, 0);
  const { categorical, categories } = featureTables(features);
  const flat: Omit<FlatForest, 'lockstep'> = {
    trees: trees.length,
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    left: new Int32Array(total),
    missingLeft: new Uint8Array(total),
    value: new Float64Array(total),
    categoryBits: new Uint32Array(totalBits),
    cover: new Int32Array(total),
    categorical,
    categories,
  };
  let base = 0;
  let bitBase = 0;
  trees.forEach((tree, t) => {
    flat.roots[t] = base;
    flat.feature.set(tree.feature, base);
    flat.missingLeft.set(tree.missingLeft, base);
    flat.value.set(tree.value, base);
    flat.categoryBits.set(tree.categoryBits, bitBase);
    flat.cover!.set(tree.cover, base);
    for (let i = 0; i < tree.feature.length; i++) {
      const feature = tree.feature[i];
      flat.left[base + i] = feature < 0 ? -1 : tree.left[i] + base;
      if (feature >= 0 && categorical[feature]) flat.value[base + i] += bitBase;
    }
    base += tree.feature.length;
    bitBase += tree.categoryBits.length;
  });
  return withLockstep(flat);
}

export function withLockstep(flat: Omit<FlatForest, 'lockstep'>): FlatForest {
  const complete = { ...flat, lockstep: null } as FlatForest;
  complete.lockstep = lockstepTables(complete);
  return complete;
}

/**
 * Raw columns as one Float64Array each: categorical codes as numbers, missing as NaN. Codes
 * outside the forest's range are missing too, so they take the missing side.
 */
export function toScoringColumns(
  features: FeatureColumn[],
  known: Pick<FlatForest, 'categories'>,
): Float64Array[] {
  return features.map((feature, f) => {
    if (feature.kind === 'numeric') return feature.values;
    const values = new Float64Array(feature.codes.length);
    const limit = known.categories[f];
    for (let i = 0; i < values.length; i++) {
      const code = feature.codes[i];
      values[i] = code < 0 || code >= limit ? NaN : code;
    }
    return values;
  });
}

/** Writes each row's mean tree value for rows start..end-1 into out. */
export function predictRange(
  forest: FlatForest,
  columns: Float64Array[],
  start: number,
  end: number,
  out: Float64Array,
): void {
  const { roots, feature, left, missingLeft, value, categoryBits, categorical, categories } =
    forest;
  const tables = forest.lockstep;
  // Sized for the rows asked for: one customer needs one row's block, not 2048 rows' (160 KB).
  const blockRows = Math.min(BLOCK_ROWS, end - start);
  const block = tables ? new Float64Array(blockRows * (columns.length + 1)) : null;
  for (let blockStart = start; blockStart < end; blockStart += BLOCK_ROWS) {
    const blockEnd = Math.min(end, blockStart + BLOCK_ROWS);
    out.fill(0, blockStart, blockEnd);
    if (tables) {
      addTreeValuesLockstep(forest, tables, columns, blockStart, blockEnd, out, block!);
      for (let row = blockStart; row < blockEnd; row++) out[row] /= forest.trees;
      continue;
    }
    for (let t = 0; t < forest.trees; t++) {
      const root = roots[t];
      for (let row = blockStart; row < blockEnd; row++) {
        let node = root;
        let f = feature[node];
        while (f >= 0) {
          const x = columns[f][row];
          let goesLeft: boolean;
          if (x !== x) {
            goesLeft = missingLeft[node] === 1;
          } else if (categorical[f] === 0) {
            goesLeft = x <= value[node];
          } else if (x >= 0 && x < categories[f]) {
            goesLeft = ((categoryBits[value[node] + (x >>> 5)] >>> (x & 31)) & 1) === 1;
          } else {
            goesLeft = missingLeft[node] === 1;
          }
          node = goesLeft ? left[node] : left[node] + 1;
          f = feature[node];
        }
        out[row] += value[node];
      }
    }
    for (let row = blockStart; row < blockEnd; row++) out[row] /= forest.trees;
  }
}
