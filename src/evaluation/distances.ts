/**
 * How far a batch's distribution is from a reference one. Each kernel takes counts or shares
 * already binned (src/evaluation/drift.ts bins a batch as it streams by) and returns one number,
 * 0 for the same distribution.
 *
 * - Population stability index over the same bins: Σ (actual − expected) · ln(actual / expected),
 *   shares of zero floored at 0.0001 so an emptied bin counts as very different, not infinite.
 *   Rule of thumb: below 0.1 stable, 0.1 to 0.25 moving, above 0.25 shifted.
 * - Jensen–Shannon distance, base 2 (as scipy.spatial.distance.jensenshannon with base=2, which
 *   Evidently uses for categories): the square root of the mean Kullback–Leibler divergence of
 *   each distribution from their average; 0 the same, 1 no value in common. Bounded and finite
 *   when a bin is empty on one side, unlike PSI.
 * - Wasserstein-1 distance (as scipy.stats.wasserstein_distance): the area between the two
 *   cumulative distribution functions, the mass times the distance it must move to turn one
 *   distribution into the other, in the column's units. Evidently divides it by the reference's
 *   standard deviation, so 0.1 means a tenth of a standard deviation, whatever the column.
 */

const PSI_FLOOR = 1e-4;

export function psi(expected: readonly number[], actual: readonly number[]): number {
  sameLength(expected, actual);
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], PSI_FLOOR);
    const a = Math.max(actual[i], PSI_FLOOR);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Of two vectors of counts or shares over the same bins (each normalized to sum 1 first). */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  sameLength(p, q);
  const pTotal = sumOf(p);
  const qTotal = sumOf(q);
  if (pTotal === 0 || qTotal === 0) return pTotal === qTotal ? 0 : 1;
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / pTotal;
    const b = q[i] / qTotal;
    const m = (a + b) / 2;
    if (a > 0) divergence += a * Math.log2(a / m);
    if (b > 0) divergence += b * Math.log2(b / m);
  }
  // Rounding can leave a hair below zero for identical inputs.
  return Math.sqrt(Math.max(0, divergence / 2));
}

/**
 * A batch's present values counted against a reference distribution's points x_0 < … < x_m-1:
 * below x_0 (with their sum), at each point, strictly between each point and the next, and above
 * x_m-1 (with their sum).
 */
export interface PointCounts {
  below: number;
  belowSum: number;
  at: Float64Array;
  /** between[j]: values in (x_j, x_j+1); length points − 1. */
  between: Float64Array;
  above: number;
  aboveSum: number;
}

/**
 * Wasserstein-1 distance between a reference given as points with cumulative shares (a step
 * function) and a batch counted against those points. Below the first and above the last point
 * the area is exact (from the values' sums); between two points the batch's values are taken as
 * spread evenly, which is exact when they all sit on the points.
 */
export function wasserstein(
  reference: { points: readonly number[]; cumulative: readonly number[] },
  batch: PointCounts,
): number {
  const { points, cumulative } = reference;
  const last = points.length - 1;
  const n = batch.below + batch.above + sumOf(batch.at) + sumOf(batch.between);
  if (n === 0) return Number.NaN;
  let area = (batch.below * points[0] - batch.belowSum) / n;
  let seen = batch.below;
  for (let j = 0; j < last; j++) {
    seen += batch.at[j];
    const from = seen / n - cumulative[j];
    seen += batch.between[j];
    const to = seen / n - cumulative[j];
    area += (points[j + 1] - points[j]) * areaUnderLine(from, to);
  }
  area += (batch.aboveSum - batch.above * points[last]) / n;
  return area;
}

/** ∫₀¹ |from + (to − from)·t| dt. */
function areaUnderLine(from: number, to: number): number {
  if (from * to >= 0) return (Math.abs(from) + Math.abs(to)) / 2;
  return (from * from + to * to) / (2 * (Math.abs(from) + Math.abs(to)));
}

function sumOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}

function sameLength(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) {
    throw new RangeError(`${a.length} reference bins but ${b.length} batch bins`);
  }
}
