/**
 * The fast scoring path: four rows walk the same tree side by side, each choosing its child
 * with arithmetic instead of a jump, so the processor overlaps their memory loads instead of
 * stalling on a mispredicted branch at every level. The only branches left are rare and well
 * predicted: a categorical split, a missing value. It needs every category set to fit one
 * 32-bit mask; forests with more categories use the general walk in predictor.ts. Both give the
 * same bits.
 *
 * Per node, in the tables built here:
 *   step     feature index | 1 << 16 when a missing value goes right | 1 << 17 when categorical;
 *            leaves read a constant extra column and loop to themselves, so finished rows can
 *            keep stepping in place
 *   next     the left child (the right child follows it); a leaf's own index
 *   split    numeric threshold, or the categorical mask of codes going left (as an int32)
 */
import type { FlatForest, LockstepTables } from './flat-forest.js';

const MISSING_RIGHT = 1 << 16;
const CATEGORICAL = 1 << 17;
const FEATURE_MASK = MISSING_RIGHT - 1;
const MAX_MASK_CATEGORIES = 32;
const LANES = 4;

/** The forest with the branch-free walk's tables, where its categories let it have them. */
export function withLockstep(flat: Omit<FlatForest, 'lockstep'>): FlatForest {
  const complete = { ...flat, lockstep: null } as FlatForest;
  complete.lockstep = lockstepTables(complete);
  return complete;
}

/** The tables, or null when a categorical feature has more codes than one mask holds. */
export function lockstepTables(forest: FlatForest): LockstepTables | null {
  const featureCount = forest.categorical.length;
  if (featureCount >= FEATURE_MASK) return null;
  for (let f = 0; f < featureCount; f++) {
    if (forest.categorical[f] && forest.categories[f] > MAX_MASK_CATEGORIES) return null;
  }
  const nodes = forest.feature.length;
  const step = new Int32Array(nodes);
  const next = new Int32Array(nodes);
  const split = new Float64Array(nodes);
  for (let node = 0; node < nodes; node++) {
    const feature = forest.feature[node];
    if (feature < 0) {
      step[node] = featureCount; // the constant column: 0 > Infinity is false, so it stays
      next[node] = node;
      split[node] = Infinity;
      continue;
    }
    step[node] =
      feature |
      (forest.missingLeft[node] ? 0 : MISSING_RIGHT) |
      (forest.categorical[feature] ? CATEGORICAL : 0);
    next[node] = forest.left[node];
    split[node] = forest.categorical[feature]
      ? forest.categoryBits[forest.value[node]] | 0
      : forest.value[node];
  }
  return { step, next, split };
}

/**
 * Rows start..end-1 as a row-major block with the constant column appended, so one row's values
 * share cache lines. The block holds (columns + 1) × (end − start) values.
 */
export function fillBlock(
  columns: Float64Array[],
  start: number,
  end: number,
  block: Float64Array,
): void {
  const width = columns.length + 1;
  for (let f = 0; f < columns.length; f++) {
    const column = columns[f];
    for (let row = start, at = f; row < end; row++, at += width) block[at] = column[row];
  }
  for (let row = start, at = columns.length; row < end; row++, at += width) block[at] = 0;
}

/** The child a row of the block (its values from `at`) takes at `node`; a leaf's is itself. */
function childOf(
  step: Int32Array,
  next: Int32Array,
  split: Float64Array,
  block: Float64Array,
  at: number,
  node: number,
): number {
  const packed = step[node];
  const x = block[at + (packed & FEATURE_MASK)];
  const threshold = split[node];
  let right = +(x > threshold);
  if (packed >= CATEGORICAL) right = (((threshold | 0) >>> (x | 0)) & 1) ^ 1;
  if (x !== x) right = (packed >>> 16) & 1;
  return next[node] + right;
}

/**
 * Writes into leaves[0..rows) the leaf of tree `root` that each of the block's first `rows` rows
 * reaches (the block as fillBlock leaves it). With `credit`, also credits each split a row passes
 * with credit[the child it takes], into credits[row × width + the split's feature]: a block laid
 * out as the rows' values are. (Rows that reached their leaf keep stepping in place, crediting
 * the constant column's slot, which callers ignore.) Scoring passes no credit; the test for it
 * is the same at every step, so the processor predicts it and scoring does not slow down.
 */
export function lockstepLeaves(
  tables: LockstepTables,
  block: Float64Array,
  width: number,
  root: number,
  rows: number,
  leaves: Int32Array,
  credit: Float64Array | null = null,
  credits: Float64Array | null = null,
): void {
  const { step, next, split } = tables;
  const leafColumn = width - 1;
  let row = 0;
  for (; row + LANES <= rows; row += LANES) {
    const b0 = row * width;
    const b1 = b0 + width;
    const b2 = b1 + width;
    const b3 = b2 + width;
    let n0 = root;
    let n1 = root;
    let n2 = root;
    let n3 = root;
    while (
      (step[n0] & FEATURE_MASK) !== leafColumn ||
      (step[n1] & FEATURE_MASK) !== leafColumn ||
      (step[n2] & FEATURE_MASK) !== leafColumn ||
      (step[n3] & FEATURE_MASK) !== leafColumn
    ) {
      const m0 = childOf(step, next, split, block, b0, n0);
      const m1 = childOf(step, next, split, block, b1, n1);
      const m2 = childOf(step, next, split, block, b2, n2);
      const m3 = childOf(step, next, split, block, b3, n3);
      if (credit !== null) {
        credits![b0 + (step[n0] & FEATURE_MASK)] += credit[m0];
        credits![b1 + (step[n1] & FEATURE_MASK)] += credit[m1];
        credits![b2 + (step[n2] & FEATURE_MASK)] += credit[m2];
        credits![b3 + (step[n3] & FEATURE_MASK)] += credit[m3];
      }
      n0 = m0;
      n1 = m1;
      n2 = m2;
      n3 = m3;
    }
    leaves[row] = n0;
    leaves[row + 1] = n1;
    leaves[row + 2] = n2;
    leaves[row + 3] = n3;
  }
  for (; row < rows; row++) {
    const at = row * width;
    let node = root;
    while ((step[node] & FEATURE_MASK) !== leafColumn) {
      const child = childOf(step, next, split, block, at, node);
      if (credit !== null) credits![at + (step[node] & FEATURE_MASK)] += credit[child];
      node = child;
    }
    leaves[row] = node;
  }
}
