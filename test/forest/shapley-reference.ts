/**
 * Reference explanations for tests, computed the slow and obvious way from their definitions,
 * sharing no code with the engine's kernels (not even the decision of which side a value goes).
 */
import type { FlatForest } from '../../src/forest/predictor.js';

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
