/**
 * A column's profile: its distribution in reference rows (a model's training rows, or its holdout
 * scores), stored with the model so that later batches can be compared against it. Numeric
 * columns are binned at (up to) ten quantiles, categorical ones by category, for the population
 * stability index; the share missing is kept apart. A numeric feature's profile also keeps its
 * present values' distribution finely (every distinct value, or a thousand quantiles), for the
 * Wasserstein distance.
 */
import { countBelow } from '../common/search.js';

export interface ColumnProfile {
  /** Share of rows with no value. */
  readonly missing: number;
  /** Numeric only: ascending bin edges; bin i holds values in (edges[i-1], edges[i]]. */
  readonly edges?: readonly number[];
  /** Share of all rows in each bin (numeric) or category (categorical), missing excluded. */
  readonly shares: readonly number[];
  /** Numeric features only (models trained since churn 0.2): the present values' distribution. */
  readonly distribution?: ValueDistribution;
}

/**
 * The empirical distribution of a column's present values: every distinct value with its exact
 * share when there are at most DISTRIBUTION_POINTS of them, else the values at the quantiles
 * (i + 0.5) / DISTRIBUTION_POINTS, each standing for an equal share of the rows.
 */
export interface ValueDistribution {
  /** Ascending distinct values. */
  readonly points: readonly number[];
  /** Share of the present values at or below each point (the last is 1). */
  readonly cumulative: readonly number[];
  /** Standard deviation of the present values (of the population, as numpy's std). */
  readonly std: number;
  /** How many distinct present values the column has. */
  readonly distinct: number;
}

/** A column to profile: numbers (NaN = missing), or category codes 0..categories-1 (-1 = missing). */
export type ProfiledColumn =
  | { kind: 'numeric'; values: Float64Array }
  | { kind: 'categorical'; codes: Int32Array; categories: number };

const PROFILE_BINS = 10;
export const DISTRIBUTION_POINTS = 500;

export function profileColumn(column: ProfiledColumn): ColumnProfile {
  if (column.kind === 'categorical') {
    const counts = new Float64Array(column.categories);
    let missing = 0;
    for (const code of column.codes) {
      if (code < 0) missing++;
      else counts[code]++;
    }
    return shares(counts, missing, column.codes.length);
  }
  const present = column.values.filter((value) => !Number.isNaN(value)).sort();
  const edges: number[] = [];
  for (let b = 1; b < PROFILE_BINS && present.length > 0; b++) {
    const edge =
      present[Math.min(present.length - 1, Math.floor((b * present.length) / PROFILE_BINS))];
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  // The last edge would leave its bin empty when it equals the maximum.
  if (edges.length > 0 && edges[edges.length - 1] === present[present.length - 1]) edges.pop();
  const counts = new Float64Array(edges.length + 1);
  for (const value of present) counts[countBelow(edges, value)]++;
  return {
    ...shares(counts, column.values.length - present.length, column.values.length),
    edges,
    ...(present.length > 0 ? { distribution: distributionOf(present) } : {}),
  };
}

/** The distribution of ascending values (at least one). */
function distributionOf(sorted: Float64Array): ValueDistribution {
  const n = sorted.length;
  let sum = 0;
  for (const value of sorted) sum += value;
  const mean = sum / n;
  let squares = 0;
  for (const value of sorted) squares += (value - mean) ** 2;
  const points: number[] = [];
  const cumulative: number[] = [];
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= DISTRIBUTION_POINTS) {
    for (let i = 0; i < n; i++) {
      if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
      points.push(sorted[i]);
      cumulative.push((i + 1) / n);
    }
  } else {
    for (let q = 0; q < DISTRIBUTION_POINTS; q++) {
      const value = sorted[Math.floor(((q + 0.5) * n) / DISTRIBUTION_POINTS)];
      const share = (q + 1) / DISTRIBUTION_POINTS;
      if (points.length > 0 && points[points.length - 1] === value) {
        cumulative[cumulative.length - 1] = share;
      } else {
        points.push(value);
        cumulative.push(share);
      }
    }
  }
  return { points, cumulative, std: Math.sqrt(squares / n), distinct };
}

/** The ten score bins of a score profile: (0, 0.1], (0.1, 0.2], … (0.9, 1]. */
export const SCORE_EDGES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The profile of a model's holdout scores, in tenths: the reference for score drift. */
export function profileScores(scores: ArrayLike<number>): ColumnProfile {
  const counts = new Float64Array(SCORE_EDGES.length + 1);
  for (let i = 0; i < scores.length; i++) counts[countBelow(SCORE_EDGES, scores[i])]++;
  return { edges: SCORE_EDGES, ...shares(counts, 0, scores.length) };
}

function shares(counts: Float64Array, missing: number, rows: number): ColumnProfile {
  const total = Math.max(1, rows);
  return {
    missing: round(missing / total),
    shares: Array.from(counts, (count) => round(count / total)),
  };
}

function round(share: number): number {
  return Number(share.toFixed(6));
}
