/**
 * A column's profile: its distribution in reference rows (a model's training rows, or its holdout
 * scores), stored with the model so that later batches can be compared against it. Numeric
 * columns are binned at (up to) ten quantiles, categorical ones by category; the share missing is
 * kept apart.
 */
import { countBelow } from '../common/search.js';

export interface ColumnProfile {
  /** Share of rows with no value. */
  readonly missing: number;
  /** Numeric only: ascending bin edges; bin i holds values in (edges[i-1], edges[i]]. */
  readonly edges?: readonly number[];
  /** Share of all rows in each bin (numeric) or category (categorical), missing excluded. */
  readonly shares: readonly number[];
}

/** A column to profile: numbers (NaN = missing), or category codes 0..categories-1 (-1 = missing). */
export type ProfiledColumn =
  | { kind: 'numeric'; values: Float64Array }
  | { kind: 'categorical'; codes: Int32Array; categories: number };

const PROFILE_BINS = 10;

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
  return { ...shares(counts, column.values.length - present.length, column.values.length), edges };
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
