/**
 * The fast explanation: path attribution (Saabas, 2014), as treeinterpreter and XGBoost's
 * `approx_contribs` compute it. Each node's expected value is the mean of its leaves weighed by
 * their training rows; a row walking from the root to its leaf is credited, at every split, with
 * the change in expected value to the child it takes, to the split's feature. The credits add up
 * to the leaf's value minus the root's expected value, so contributions and base value sum to the
 * probability exactly as TreeSHAP's do. Unlike TreeSHAP it credits only the splits the row
 * passes, so features split on near the root tend to get too little and the order of splits
 * matters; it costs about what scoring does.
 *
 * It walks the rows with scoring's own walk (BlockWalker), tree by tree over a block of rows, and
 * sums each row's leaf values in scoring's order, so the probabilities are scoring's, bit for bit.
 * For each tree it first gathers every leaf's credits by feature; a row then adds its leaf's few.
 */
import { ExplanationUnavailableError, treeSize } from './explain-exact.js';
import type { FlatForest } from './flat-forest.js';
import { BlockWalker } from './predictor.js';

export class PathAttribution {
  private readonly featureCount: number;
  // Per node of the current tree (local index).
  private readonly expected: Float64Array;
  private readonly parent: Int32Array;
  /** A leaf's credits are entries creditStart[leaf] .. creditStart[leaf + 1] − 1. */
  private readonly creditStart: Int32Array;
  private creditFeature: Int32Array;
  private creditAmount: Float64Array;
  private readonly byFeature: Float64Array;
  private readonly seen: Uint8Array;
  private readonly touched: Int32Array;

  constructor(private readonly forest: FlatForest) {
    if (!forest.cover) throw new ExplanationUnavailableError();
    this.featureCount = forest.categorical.length;
    let largest = 0;
    for (let t = 0; t < forest.trees; t++) largest = Math.max(largest, treeSize(forest, t));
    this.expected = new Float64Array(largest);
    this.parent = new Int32Array(largest);
    this.creditStart = new Int32Array(largest + 1);
    this.creditFeature = new Int32Array(largest);
    this.creditAmount = new Float64Array(largest);
    this.byFeature = new Float64Array(this.featureCount);
    this.seen = new Uint8Array(this.featureCount);
    this.touched = new Int32Array(this.featureCount);
  }

  /**
   * Writes the probabilities of rows start..end-1 into scores[row] and their contributions into
   * contributions[row × features + f].
   */
  explain(
    columns: Float64Array[],
    start: number,
    end: number,
    scores: Float64Array,
    contributions: Float64Array,
  ): void {
    const forest = this.forest;
    const width = this.featureCount;
    const walker = new BlockWalker(forest, columns, end - start);
    const leaves = walker.leaves;
    const { creditStart } = this;
    const value = forest.value;
    contributions.fill(0, start * width, end * width);
    for (let blockStart = start; blockStart < end; blockStart += walker.capacity) {
      const rows = walker.load(blockStart, end);
      scores.fill(0, blockStart, blockStart + rows);
      for (let t = 0; t < forest.trees; t++) {
        const root = forest.roots[t];
        this.prepareTree(t);
        const { creditFeature, creditAmount } = this;
        walker.walk(t);
        for (let r = 0; r < rows; r++) {
          const leaf = leaves[r];
          scores[blockStart + r] += value[leaf];
          const base = (blockStart + r) * width;
          const local = leaf - root;
          for (let k = creditStart[local]; k < creditStart[local + 1]; k++) {
            contributions[base + creditFeature[k]] += creditAmount[k];
          }
        }
      }
      for (let row = blockStart; row < blockStart + rows; row++) scores[row] /= forest.trees;
    }
    const scale = 1 / forest.trees;
    for (let i = start * width; i < end * width; i++) contributions[i] *= scale;
  }

  /** Every leaf's credits in tree t, merged by feature. */
  private prepareTree(t: number): void {
    const forest = this.forest;
    const root = forest.roots[t];
    const size = treeSize(forest, t);
    const { expected, parent, creditStart, byFeature, seen, touched } = this;
    nodeExpectations(forest, t, expected);
    parent[0] = -1;
    for (let i = 0; i < size; i++) {
      if (forest.feature[root + i] < 0) continue;
      const left = forest.left[root + i] - root;
      parent[left] = i;
      parent[left + 1] = i;
    }
    let used = 0;
    for (let i = 0; i < size; i++) {
      creditStart[i] = used;
      if (forest.feature[root + i] >= 0) continue;
      let distinct = 0;
      for (let c = i; c > 0; c = parent[c]) {
        const feature = forest.feature[root + parent[c]];
        if (seen[feature] === 0) {
          seen[feature] = 1;
          touched[distinct++] = feature;
        }
        byFeature[feature] += expected[c] - expected[parent[c]];
      }
      if (used + distinct > this.creditFeature.length) this.growCredits(used + distinct);
      for (let k = 0; k < distinct; k++) {
        const feature = touched[k];
        this.creditFeature[used] = feature;
        this.creditAmount[used++] = byFeature[feature];
        byFeature[feature] = 0;
        seen[feature] = 0;
      }
    }
    creditStart[size] = used;
  }

  private growCredits(needed: number): void {
    const capacity = Math.max(needed, this.creditFeature.length * 2);
    const features = new Int32Array(capacity);
    features.set(this.creditFeature);
    const amounts = new Float64Array(capacity);
    amounts.set(this.creditAmount);
    this.creditFeature = features;
    this.creditAmount = amounts;
  }
}

/**
 * Each node's expected value in tree t (the mean of its leaves' values weighed by their training
 * rows), by local index into `out`. Children come after their parents, so one pass from the
 * last node back fills every parent after its children.
 */
export function nodeExpectations(forest: FlatForest, t: number, out: Float64Array): void {
  const root = forest.roots[t];
  const cover = forest.cover!;
  for (let i = treeSize(forest, t) - 1; i >= 0; i--) {
    if (forest.feature[root + i] < 0) {
      out[i] = forest.value[root + i];
      continue;
    }
    const left = forest.left[root + i] - root;
    out[i] =
      (out[left] * cover[root + left] + out[left + 1] * cover[root + left + 1]) / cover[root + i];
  }
}
