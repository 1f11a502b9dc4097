/**
 * Scoring: all trees concatenated into one set of flat arrays, walked on raw values. Rows are
 * scored in blocks, tree by tree within a block, so a tree's nodes stay in cache while many rows
 * pass through it. Each row's tree values are summed in tree order, so results do not depend on
 * how rows are split into blocks or threads.
 */
import { featureTables, type FlatForest } from './flat-forest.js';
import { fillBlock, lockstepLeaves, withLockstep } from './lockstep.js';
import type { Tree } from './tree.js';
import type { FeatureColumn, FeatureInfo } from './types.js';

const BLOCK_ROWS = 2048;

/** A tree's per-node arrays that the forest's concatenate as they are (`left` is offset). */
const TREE_NODE_ARRAYS = ['feature', 'missingLeft', 'value', 'cover'] as const;

/** The trees, concatenated into one forest's arrays. */
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
    for (const name of TREE_NODE_ARRAYS) flat[name]!.set(tree[name], base);
    flat.categoryBits.set(tree.categoryBits, bitBase);
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
  const { value } = forest;
  const walker = new BlockWalker(forest, columns, end - start);
  const leaves = walker.leaves;
  for (let blockStart = start; blockStart < end; blockStart += walker.capacity) {
    const rows = walker.load(blockStart, end);
    out.fill(0, blockStart, blockStart + rows);
    for (let t = 0; t < forest.trees; t++) {
      walker.walk(t);
      for (let r = 0; r < rows; r++) out[blockStart + r] += value[leaves[r]];
    }
    for (let row = blockStart; row < blockStart + rows; row++) out[row] /= forest.trees;
  }
}

/**
 * Finds, tree by tree, the leaf each row of a block of rows reaches: on the branch-free walk when
 * the forest has its tables, on the general one otherwise. Scoring and explanations both walk
 * through it.
 */
export class BlockWalker {
  /** Rows loaded at a time. */
  readonly capacity: number;
  /** After walk(t): the leaf of tree t that each loaded row reaches, in row order. */
  readonly leaves: Int32Array;
  private readonly block: Float64Array | null;
  private start = 0;
  private rows = 0;

  /** For `rows` rows in all: one customer needs one row's block, not 2048 rows' (160 KB). */
  constructor(
    private readonly forest: FlatForest,
    private readonly columns: Float64Array[],
    rows: number,
  ) {
    this.capacity = Math.max(1, Math.min(BLOCK_ROWS, rows));
    this.leaves = new Int32Array(this.capacity);
    this.block = forest.lockstep ? new Float64Array(this.capacity * (columns.length + 1)) : null;
  }

  /** Takes the rows from start, up to end-1 or the capacity; returns how many it took. */
  load(start: number, end: number): number {
    this.start = start;
    this.rows = Math.min(end - start, this.capacity);
    if (this.block) fillBlock(this.columns, start, start + this.rows, this.block);
    return this.rows;
  }

  walk(tree: number): void {
    const forest = this.forest;
    const root = forest.roots[tree];
    if (this.block) {
      const width = this.columns.length + 1;
      lockstepLeaves(forest.lockstep!, this.block, width, root, this.rows, this.leaves);
      return;
    }
    for (let r = 0; r < this.rows; r++) {
      this.leaves[r] = leafOf(forest, root, this.columns, this.start + r);
    }
  }

  /**
   * walk(), crediting each split a row passes with credit[the child it takes] in
   * credits[r × (features + 1) + the split's feature], r the row's place in the block.
   */
  walkCrediting(tree: number, credit: Float64Array, credits: Float64Array): void {
    const forest = this.forest;
    const root = forest.roots[tree];
    const width = this.columns.length + 1;
    if (this.block) {
      const tables = forest.lockstep!;
      lockstepLeaves(tables, this.block, width, root, this.rows, this.leaves, credit, credits);
      return;
    }
    const { feature, left } = forest;
    for (let r = 0; r < this.rows; r++) {
      const row = this.start + r;
      let node = root;
      let f = feature[node];
      while (f >= 0) {
        const child = goesLeft(forest, node, this.columns[f][row]) ? left[node] : left[node] + 1;
        credits[r * width + f] += credit[child];
        node = child;
        f = feature[node];
      }
      this.leaves[r] = node;
    }
  }
}

/** The leaf a row reaches from `node`, on the general walk. */
export function leafOf(
  forest: FlatForest,
  node: number,
  columns: Float64Array[],
  row: number,
): number {
  const { feature, left } = forest;
  let f = feature[node];
  while (f >= 0) {
    node = goesLeft(forest, node, columns[f][row]) ? left[node] : left[node] + 1;
    f = feature[node];
  }
  return node;
}

/**
 * Whether a raw value goes to a split's left child: a number at most the threshold, a code in
 * the split's set, or a missing value (or a code the forest never saw) where missing values go.
 */
export function goesLeft(forest: FlatForest, node: number, x: number): boolean {
  const f = forest.feature[node];
  if (x !== x) return forest.missingLeft[node] === 1;
  if (forest.categorical[f] === 0) return x <= forest.value[node];
  if (x >= 0 && x < forest.categories[f]) {
    return ((forest.categoryBits[forest.value[node] + (x >>> 5)] >>> (x & 31)) & 1) === 1;
  }
  return forest.missingLeft[node] === 1;
}
