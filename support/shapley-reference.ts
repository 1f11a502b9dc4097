/**
 * Reference explanations for tests and bench/explain-speed.ts, computed the slow and obvious way from their definitions,
 * sharing no code with the engine's kernels (not even the decision of which side a value goes).
 */
import type { FlatForest } from '../src/forest/flat-forest.js';

/** The side a raw value takes at a split, decided again from the node arrays. */
function takesLeft(flat: FlatForest, node: number, x: number): boolean {
  const f = flat.feature[node];
  if (Number.isNaN(x)) return flat.missingLeft[node] === 1;
  if (!flat.categorical[f]) return x <= flat.value[node];
  if (!Number.isInteger(x) || x < 0 || x >= flat.categories[f]) return flat.missingLeft[node] === 1;
  const word = flat.categoryBits[flat.value[node] + Math.floor(x / 32)];
  return Math.floor(word / 2 ** (x % 32)) % 2 === 1;
}

/**
 * TreeSHAP's path-dependent worth of a set of known features: the tree's output where a split
 * on an unknown feature sends the row down both sides, weighed by their training rows.
 */
function worth(flat: FlatForest, node: number, row: number[], known: boolean[]): number {
  const f = flat.feature[node];
  if (f < 0) return flat.value[node];
  const left = flat.left[node];
  if (known[f]) return worth(flat, takesLeft(flat, node, row[f]) ? left : left + 1, row, known);
  const cover = flat.cover!;
  return (
    (worth(flat, left, row, known) * cover[left] +
      worth(flat, left + 1, row, known) * cover[left + 1]) /
    cover[node]
  );
}

function forestWorth(flat: FlatForest, row: number[], known: boolean[]): number {
  let sum = 0;
  for (let t = 0; t < flat.trees; t++) sum += worth(flat, flat.roots[t], row, known);
  return sum / flat.trees;
}

function factorial(n: number): number {
  let product = 1;
  for (let k = 2; k <= n; k++) product *= k;
  return product;
}

/**
 * Shapley values by enumerating every subset of the other features:
 * φ_i = Σ_S |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)). Also the worth of the empty set, the
 * base value. 2^n worths, each a walk of the whole forest: for a handful of features only.
 */
export function bruteForceShapley(
  flat: FlatForest,
  row: number[],
): { contributions: number[]; base: number } {
  const n = row.length;
  const worths = new Float64Array(1 << n);
  for (let mask = 0; mask < 1 << n; mask++) {
    const known = Array.from({ length: n }, (_, f) => ((mask >> f) & 1) === 1);
    worths[mask] = forestWorth(flat, row, known);
  }
  const contributions = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let mask = 0; mask < 1 << n; mask++) {
      if ((mask >> i) & 1) continue;
      let size = 0;
      for (let f = 0; f < n; f++) size += (mask >> f) & 1;
      const weight = (factorial(size) * factorial(n - size - 1)) / factorial(n);
      contributions[i] += weight * (worths[mask | (1 << i)] - worths[mask]);
    }
  }
  return { contributions, base: worths[0] };
}

/** Path attribution by walking each tree and crediting each split with its change of expectation. */
export function referencePathAttribution(flat: FlatForest, row: number[]): number[] {
  const none = row.map(() => false);
  const contributions = new Array<number>(row.length).fill(0);
  for (let t = 0; t < flat.trees; t++) {
    let node = flat.roots[t];
    while (flat.feature[node] >= 0) {
      const next = takesLeft(flat, node, row[flat.feature[node]])
        ? flat.left[node]
        : flat.left[node] + 1;
      contributions[flat.feature[node]] +=
        (worth(flat, next, row, none) - worth(flat, node, row, none)) / flat.trees;
      node = next;
    }
  }
  return contributions;
}

/**
 * The algorithm of the TreeSHAP papers (Lundberg et al., 2020, Algorithm 2, as shap's C++
 * `tree_shap_recursive` has it, without its conditioning), ported as written: a recursion down
 * every path that extends and unwinds a path of permutation weights, O(leaves × depth²) per tree.
 * A second, independent oracle for the exact explanation on trees too large to enumerate, and the
 * benchmark's measure of what the quadrature form saves.
 */
export class PathTreeShap {
  private readonly feature: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly weight: Float64Array;

  constructor(private readonly flat: FlatForest) {
    let deepest = 0;
    const depth = new Int32Array(flat.feature.length);
    for (let node = 0; node < flat.feature.length; node++) {
      deepest = Math.max(deepest, depth[node]);
      if (flat.feature[node] >= 0) {
        depth[flat.left[node]] = depth[node] + 1;
        depth[flat.left[node] + 1] = depth[node] + 1;
      }
    }
    // One slice of the path store per level of the recursion, as the C++ code lays it out.
    const size = ((deepest + 3) * (deepest + 4)) / 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  /** The row's contributions, the mean over trees. */
  explain(row: number[]): number[] {
    const phi = new Array<number>(row.length).fill(0);
    for (let t = 0; t < this.flat.trees; t++) {
      this.recurse(this.flat.roots[t], row, phi, 0, 0, 1, 1, -1);
    }
    return phi.map((value) => value / this.flat.trees);
  }

  private recurse(
    node: number,
    row: number[],
    phi: number[],
    parentAt: number,
    uniqueDepth: number,
    parentZero: number,
    parentOne: number,
    parentFeature: number,
  ): void {
    const flat = this.flat;
    const { feature, zero, one, weight } = this;
    // This level's copy of the path, after the parent's.
    const here = parentAt + uniqueDepth + 1;
    for (let i = 0; i < uniqueDepth; i++) {
      feature[here + i] = feature[parentAt + i];
      zero[here + i] = zero[parentAt + i];
      one[here + i] = one[parentAt + i];
      weight[here + i] = weight[parentAt + i];
    }
    this.extend(here, uniqueDepth, parentZero, parentOne, parentFeature);
    const split = flat.feature[node];
    if (split < 0) {
      for (let i = 1; i <= uniqueDepth; i++) {
        const w = this.unwoundSum(here, uniqueDepth, i);
        phi[feature[here + i]] += w * (one[here + i] - zero[here + i]) * flat.value[node];
      }
      return;
    }
    const left = flat.left[node];
    const hot = takesLeft(flat, node, row[split]) ? left : left + 1;
    const cold = hot === left ? left + 1 : left;
    const cover = flat.cover!;
    let incomingZero = 1;
    let incomingOne = 1;
    let depthNow = uniqueDepth;
    let index = 0;
    while (index <= depthNow && feature[here + index] !== split) index++;
    if (index <= depthNow) {
      incomingZero = zero[here + index];
      incomingOne = one[here + index];
      this.unwind(here, depthNow, index);
      depthNow--;
    }
    const share = (child: number) => cover[child] / cover[node];
    const next = depthNow + 1;
    this.recurse(hot, row, phi, here, next, share(hot) * incomingZero, incomingOne, split);
    this.recurse(cold, row, phi, here, next, share(cold) * incomingZero, 0, split);
  }

  private extend(at: number, depth: number, zeroFraction: number, oneFraction: number, f: number) {
    const { feature, zero, one, weight } = this;
    feature[at + depth] = f;
    zero[at + depth] = zeroFraction;
    one[at + depth] = oneFraction;
    weight[at + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      weight[at + i + 1] += (oneFraction * weight[at + i] * (i + 1)) / (depth + 1);
      weight[at + i] = (zeroFraction * weight[at + i] * (depth - i)) / (depth + 1);
    }
  }

  private unwind(at: number, depth: number, index: number) {
    const { feature, zero, one, weight } = this;
    const oneFraction = one[at + index];
    const zeroFraction = zero[at + index];
    let nextOne = weight[at + depth];
    for (let i = depth - 1; i >= 0; i--) {
      if (oneFraction !== 0) {
        const previous = weight[at + i];
        weight[at + i] = (nextOne * (depth + 1)) / ((i + 1) * oneFraction);
        nextOne = previous - (weight[at + i] * zeroFraction * (depth - i)) / (depth + 1);
      } else {
        weight[at + i] = (weight[at + i] * (depth + 1)) / (zeroFraction * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      feature[at + i] = feature[at + i + 1];
      zero[at + i] = zero[at + i + 1];
      one[at + i] = one[at + i + 1];
    }
  }

  private unwoundSum(at: number, depth: number, index: number): number {
    const { zero, one, weight } = this;
    const oneFraction = one[at + index];
    const zeroFraction = zero[at + index];
    let nextOne = weight[at + depth];
    let total = 0;
    if (oneFraction !== 0) {
      for (let i = depth - 1; i >= 0; i--) {
        const piece = nextOne / ((i + 1) * oneFraction);
        total += piece;
        nextOne = weight[at + i] - piece * zeroFraction * (depth - i);
      }
    } else {
      for (let i = depth - 1; i >= 0; i--) total += weight[at + i] / (zeroFraction * (depth - i));
    }
    return total * (depth + 1);
  }
}
