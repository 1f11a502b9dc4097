/**
 * Exact path-dependent TreeSHAP (Lundberg et al., 2018 and 2020): the Shapley values of the game
 * whose worth for a set S of known features is the tree's expected output when the features
 * outside S are unknown and each split on one sends the row down both sides, weighed by the
 * training rows (cover) each side got. It is the quantity shap.TreeExplainer computes with
 * feature_perturbation="tree_path_dependent".
 *
 * How it is computed here. For a leaf, the worth of S is a product over the distinct features U
 * on the leaf's path: v · Π_{j∈S} o_j · Π_{j∉S} z_j, where z_j is the share of the training rows
 * that every split on j along the path let through and o_j is 1 when the row itself takes all of
 * those splits' sides. A product game has Shapley values in closed form:
 *
 *   φ_i = v (o_i − z_i) ∫₀¹ Π_{j∈U, j≠i} (z_j + (o_j − z_j) t) dt,
 *
 * a polynomial of degree |U| − 1 < 2Q, which Gauss–Legendre quadrature with Q points integrates
 * exactly. At the quadrature points every factor is positive, so the products lose no precision.
 * Summed over leaves, feature i's value gathers at each split on i as
 *
 *   Σ_{edges e on i} Σ_q D_e(t_q) · H_e(t_q),   H_e(t) = Σ_{leaves l below e} v_l Π_{j∈U_l} f_{l,j}(t)
 *
 * where D_e is the quadrature weight times the edge's own coefficient (o − z) / f minus that of
 * the nearest edge above it on the same feature (their sum telescopes to the deepest edge's,
 * which is the leaf's). So one row costs, per tree, one pass down the nodes building the path
 * products and one pass up summing H and adding D · H: O(nodes × Q), with Q = ⌈|U|max / 2⌉ (5 for
 * nine features), where the original algorithm costs O(leaves × depth²).
 *
 * Every factor that does not depend on the row (z, the quadrature points, the leaf values, the
 * coefficients D for each of the three states a node can be in) is precomputed per tree, as Fast
 * TreeSHAP v2 (Yang, 2021) precomputes per tree; its tables take 2^depth entries per leaf, which
 * fully grown trees (depth 20 and more) cannot afford, while these take 5Q + 1 numbers per node.
 * They are built for one tree at a time, for a block of rows, so they need memory for the largest
 * tree only. What remains per row is which child the row takes at each split, found exactly as
 * scoring finds it: raw thresholds, category sets, the learned side for missing values.
 *
 * The states of an edge into node c, split on feature i (a = the nearest edge above on i):
 *   0  a exists and the row left it (its merged o is 0): c's factor is a's times z_c, D = 0
 *   1  the row took every edge on i above but not this one: merged o becomes 0
 *   2  the row took this edge and every one on i above: merged o stays 1
 */
import { largestTree, treeSize, type FlatForest } from './flat-forest.js';
import { goesLeft } from './predictor.js';
import { gaussLegendre } from './quadrature.js';

export class ExactTreeShap {
  private readonly featureCount: number;
  // Per node of the current tree (local index), row-independent.
  /** The nearest edge above a split's children on the split's feature (−1: none). */
  private readonly nearest: Int32Array;
  private readonly merged: Float64Array;
  private readonly distinct: Int32Array;
  private readonly parent: Int32Array;
  /**
   * Per node and state, Q numbers each: the factor its path product gets from its parent's (a
   * leaf's times its value), and D. Laid out [node][state][q], so a row picks a node's by its
   * state with one offset.
   */
  private readonly ratio: Float64Array;
  private readonly coefficient: Float64Array;
  private points = 1;
  // Per row: each node's path product (then H); the offset of its state's tables times 2, plus 1
  // when the row took its edge and every edge above on its feature; the row's values.
  private readonly products: Float64Array;
  private readonly chosen: Int32Array;
  private readonly row: Float64Array;
  /**
   * The splits of the current tree in the order the passes visit them (parents first), SPLIT
   * numbers each: left child, nearest edge above on the feature (or the always-taken sentinel),
   * feature | kind << KIND_SHIFT, the split's own local index. One array, so the passes keep few
   * arrays live (each costs V8 registers for its base and length).
   */
  private splitCount = 0;
  private readonly splits: Int32Array;
  /** A numeric split's threshold, or a categorical split's mask of codes going left. */
  private readonly splitRule: Float64Array;

  constructor(private readonly forest: FlatForest) {
    if (!forest.cover) throw new ExplanationUnavailableError();
    this.featureCount = forest.categorical.length;
    const largest = largestTree(forest);
    this.nearest = new Int32Array(largest);
    this.merged = new Float64Array(largest);
    this.distinct = new Int32Array(largest);
    this.parent = new Int32Array(largest);
    this.chosen = new Int32Array(largest + 1);
    this.row = new Float64Array(this.featureCount);
    this.splits = new Int32Array(largest * SPLIT);
    this.splitRule = new Float64Array(largest);
    // Sized for the quadrature of the longest list of distinct features a path can have: all.
    const maxPoints = Math.ceil(this.featureCount / 2);
    this.ratio = new Float64Array(largest * STATES * maxPoints);
    this.coefficient = new Float64Array(largest * STATES * maxPoints);
    this.products = new Float64Array(largest * maxPoints);
  }

  /**
   * Writes the contributions of rows start..end-1 into contributions[row × features + f], the
   * mean over trees as the probability is.
   */
  explain(columns: Float64Array[], start: number, end: number, contributions: Float64Array): void {
    const width = this.featureCount;
    contributions.fill(0, start * width, end * width);
    for (let t = 0; t < this.forest.trees; t++) {
      this.prepareTree(t);
      for (let row = start; row < end; row++) this.addTree(t, columns, row, contributions);
    }
    const scale = 1 / this.forest.trees;
    for (let i = start * width; i < end * width; i++) contributions[i] *= scale;
  }

  /** The row-independent tables of tree t. */
  private prepareTree(t: number): void {
    const forest = this.forest;
    const cover = forest.cover!;
    const root = forest.roots[t];
    const size = treeSize(forest, t);
    const { nearest, merged, distinct, parent, splits, splitRule } = this;
    merged[0] = 1;
    distinct[0] = 0;
    parent[0] = -1;
    this.chosen[size] = 1; // the edge a split names when none is above on its feature: taken
    let k = 0;
    let mostDistinct = 0;
    for (let i = 0; i < size; i++) {
      const node = root + i;
      const feature = forest.feature[node];
      if (feature < 0) {
        mostDistinct = Math.max(mostDistinct, distinct[i]);
        continue;
      }
      const left = forest.left[node] - root;
      // Edges are named by the node they lead to: the edge into i, or the nearest above it.
      let above = i;
      while (above > 0 && forest.feature[root + parent[above]] !== feature) above = parent[above];
      const previous = above > 0 ? above : -1;
      nearest[i] = previous;
      for (let c = left; c <= left + 1; c++) {
        parent[c] = i;
        merged[c] = (cover[root + c] / cover[node]) * (previous >= 0 ? merged[previous] : 1);
        distinct[c] = distinct[i] + (previous >= 0 ? 0 : 1);
      }
      let kind = forest.missingLeft[node] === 1 ? MISSING_LEFT : 0;
      if (!forest.categorical[feature]) {
        splitRule[k] = forest.value[node];
      } else if (forest.categories[feature] <= 32) {
        kind |= CATEGORICAL;
        splitRule[k] = forest.categoryBits[forest.value[node]];
      } else {
        kind |= CATEGORICAL | WIDE;
      }
      const at = k++ * SPLIT;
      splits[at] = left;
      splits[at + 1] = previous >= 0 ? previous : size;
      splits[at + 2] = feature | (kind << KIND_SHIFT);
      splits[at + 3] = i;
    }
    this.splitCount = k;
    const points = Math.max(1, Math.ceil(mostDistinct / 2));
    this.points = points;
    const { nodes, weights } = gaussLegendre(points);
    const { ratio, coefficient } = this;
    for (let c = 1; c < size; c++) {
      const a = nearest[parent[c]];
      const z = merged[c];
      const leafValue = forest.feature[root + c] < 0 ? forest.value[root + c] : 1;
      const at = c * STATES * points;
      for (let q = 0; q < points; q++) {
        const x = nodes[q];
        const w = weights[q];
        const into = x + (1 - x) * z; // the factor of a merged o of 1
        const aInto = a >= 0 ? x + (1 - x) * merged[a] : 1;
        const aCoefficient = a >= 0 ? (w * (1 - merged[a])) / aInto : 0;
        ratio[at + GONE * points + q] = a >= 0 ? (z / merged[a]) * leafValue : 0;
        ratio[at + OUT * points + q] = (((1 - x) * z) / aInto) * leafValue;
        ratio[at + IN * points + q] = (into / aInto) * leafValue;
        coefficient[at + GONE * points + q] = 0;
        coefficient[at + OUT * points + q] = -w / (1 - x) - aCoefficient;
        coefficient[at + IN * points + q] = (w * (1 - z)) / into - aCoefficient;
      }
    }
  }

  /** Adds tree t's (unscaled) contributions for one row. */
  private addTree(t: number, columns: Float64Array[], row: number, out: Float64Array): void {
    const forest = this.forest;
    const points = this.points;
    const stride = STATES * points;
    const { splitCount, splits, splitRule, chosen, products, ratio, coefficient } = this;
    const x = this.row;
    for (let f = 0; f < x.length; f++) x[f] = columns[f][row];
    for (let q = 0; q < points; q++) products[q] = 1;

    // Down: each node's path product, from its parent's and the state of the edge into it. A
    // split's children share the nearest edge above on its feature. Sides are chosen with
    // arithmetic, not jumps: which side a row takes is a coin toss to the branch predictor.
    for (let k = 0, at = 0; k < splitCount; k++, at += SPLIT) {
      const left = splits[at];
      const packed = splits[at + 2];
      const value = x[packed & FEATURE_MASK];
      const kind = packed >>> KIND_SHIFT;
      let toLeft = +(value <= splitRule[k]);
      if (kind >= CATEGORICAL) {
        toLeft =
          kind >= WIDE
            ? +goesLeft(forest, forest.roots[t] + splits[at + 3], value)
            : (splitRule[k] >>> (value | 0)) & 1;
      }
      if (value !== value) toLeft = kind & MISSING_LEFT;
      const live = chosen[splits[at + 1]] & 1;
      const takenLeft = live & toLeft;
      const takenRight = live & (toLeft ^ 1);
      // States: GONE 0, OUT 1, IN 2.
      const l = left * stride + (live + takenLeft) * points;
      const r = l + stride + (takenRight - takenLeft) * points;
      chosen[left] = (l << 1) | takenLeft;
      chosen[left + 1] = (r << 1) | takenRight;
      const from = splits[at + 3] * points;
      const lp = left * points;
      const rp = lp + points;
      // Four quadrature points at a time, written out: V8 does not unroll loops itself.
      let q = 0;
      for (; q + 4 <= points; q += 4) {
        const p0 = products[from + q];
        const p1 = products[from + q + 1];
        const p2 = products[from + q + 2];
        const p3 = products[from + q + 3];
        products[lp + q] = p0 * ratio[l + q];
        products[lp + q + 1] = p1 * ratio[l + q + 1];
        products[lp + q + 2] = p2 * ratio[l + q + 2];
        products[lp + q + 3] = p3 * ratio[l + q + 3];
        products[rp + q] = p0 * ratio[r + q];
        products[rp + q + 1] = p1 * ratio[r + q + 1];
        products[rp + q + 2] = p2 * ratio[r + q + 2];
        products[rp + q + 3] = p3 * ratio[r + q + 3];
      }
      for (; q < points; q++) {
        const p = products[from + q];
        products[lp + q] = p * ratio[l + q];
        products[rp + q] = p * ratio[r + q];
      }
    }

    // Up: H of each node (written over its path product, no longer needed), and D · H per edge.
    const base = row * this.featureCount;
    for (let k = splitCount - 1, at = k * SPLIT; k >= 0; k--, at -= SPLIT) {
      const left = splits[at];
      const l = chosen[left] >> 1;
      const r = chosen[left + 1] >> 1;
      const lp = left * points;
      const rp = lp + points;
      const own = splits[at + 3] * points;
      let sum = 0;
      let q = 0;
      for (; q + 4 <= points; q += 4) {
        const l0 = products[lp + q];
        const l1 = products[lp + q + 1];
        const l2 = products[lp + q + 2];
        const l3 = products[lp + q + 3];
        const r0 = products[rp + q];
        const r1 = products[rp + q + 1];
        const r2 = products[rp + q + 2];
        const r3 = products[rp + q + 3];
        sum +=
          coefficient[l + q] * l0 +
          coefficient[r + q] * r0 +
          coefficient[l + q + 1] * l1 +
          coefficient[r + q + 1] * r1 +
          coefficient[l + q + 2] * l2 +
          coefficient[r + q + 2] * r2 +
          coefficient[l + q + 3] * l3 +
          coefficient[r + q + 3] * r3;
        products[own + q] = l0 + r0;
        products[own + q + 1] = l1 + r1;
        products[own + q + 2] = l2 + r2;
        products[own + q + 3] = l3 + r3;
      }
      for (; q < points; q++) {
        const hl = products[lp + q];
        const hr = products[rp + q];
        sum += coefficient[l + q] * hl + coefficient[r + q] * hr;
        products[own + q] = hl + hr;
      }
      out[base + (splits[at + 2] & FEATURE_MASK)] += sum;
    }
  }
}

/** Numbers per split in `splits`, and the packing of its feature and kind. */
const SPLIT = 4;
const KIND_SHIFT = 24;
const FEATURE_MASK = (1 << KIND_SHIFT) - 1;
const MISSING_LEFT = 1;
const CATEGORICAL = 2;
const WIDE = 4;

/** A node's states, as offsets (in Q numbers) into its tables. */
const GONE = 0;
const OUT = 1;
const IN = 2;
const STATES = 3;

/** Thrown for a forest saved before node covers were recorded. */
export class ExplanationUnavailableError extends Error {
  constructor() {
    super(
      'this model was saved by an older churn without the training rows per node that ' +
        'explanations need: retrain it to explain its scores',
    );
    this.name = 'ExplanationUnavailableError';
  }
}
