/**
 * A column's distribution as the model saw it in training: the share of rows in each of (up to)
 * ten quantile bins, or in each category, and the share missing. Stored with the model as the
 * reference that later batches are compared against.
 */
import { countBelow } from '../common/search.js';
import type { FeatureColumn } from '../forest/index.js';

export interface ColumnProfile {
  /** Share of rows with no value. */
  missing: number;
  /** Numeric only: ascending bin edges; bin i holds values in (edges[i-1], edges[i]]. */
  edges?: number[];
  /** Share of all rows in each bin (numeric) or category (categorical), missing excluded. */
  shares: number[];
}

const PROFILE_BINS = 10;

export function profileColumn(column: FeatureColumn): ColumnProfile {
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
