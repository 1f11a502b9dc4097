/**
 * What drives a model's scores over a set of rows, from their explanations (per row, one
 * contribution per feature): each feature's mean absolute contribution, the direction of its
 * effect, and sample points for a dependence plot. Kept with the model for its reports.
 *
 * The direction of a numeric feature's effect comes from its rows cut into five bands by value:
 * when the highest band's mean contribution is above (below) the lowest band's by at least half
 * the spread of the bands' means, higher values raise (lower) the score; an effect that rises
 * then falls back, or hardly moves, has no single direction. Spearman's rank correlation of value and contribution is
 * kept beside it. A categorical feature's effect is each category's mean contribution.
 */
import type { ExplainMethod, FeatureColumn } from '../forest/index.js';

export interface ExplanationSummary {
  method: ExplainMethod;
  /** Rows explained. */
  rows: number;
  /** On the forest's raw probability, as the contributions. */
  baseValue: number;
  /** Largest mean absolute contribution first. */
  features: FeatureEffect[];
}

export interface FeatureEffect {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Mean over rows of |contribution|: the feature's global importance, in probability units. */
  meanAbs: number;
  /** Numeric features: rank correlation of value and contribution; null when it is undefined. */
  correlation: number | null;
  /** Numeric features: where higher values push the score; null for categorical ones. */
  direction: Direction | null;
  /** Categorical features: each category met, largest mean contribution first. */
  categories: Array<{ name: string; mean: number; rows: number }> | null;
  /** Rows where the feature was missing, and their mean contribution; null when none were. */
  missing: { mean: number; rows: number } | null;
  /**
   * For the dependence plot, the first features only: [value, contribution] of the rows with a
   * value (a categorical feature's value is the category's index in `categories`).
   */
  points: Array<[number, number]> | null;
}

/** Where higher values of a numeric feature push the score. */
export type Direction = 'raises' | 'lowers' | 'mixed';

/** Bands of rows by value, for the direction. */
const BANDS = 5;
/** The net move from the lowest band to the highest, as a share of the spread, for a direction. */
const NET_MOVE = 0.5;
/** An effect whose bands move less than this (half a percentage point) has no direction. */
const LEAST_MOVE = 0.005;

/**
 * The direction of an effect from (value, contribution) pairs: the mean contribution of each of
 * BANDS bands of rows by value (rows of one value stay in one band), read from low to high.
 */
export function directionOf(values: number[], contributions: number[]): Direction {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const means: number[] = [];
  let start = 0;
  for (let band = 1; band <= BANDS && start < order.length; band++) {
    let end = Math.max(start + 1, Math.round((band * order.length) / BANDS));
    while (end < order.length && values[order[end]] === values[order[end - 1]]) end++;
    let sum = 0;
    for (let k = start; k < end; k++) sum += contributions[order[k]];
    means.push(sum / (end - start));
    start = end;
  }
  if (means.length < 2) return 'mixed';
  const spread = Math.max(...means) - Math.min(...means);
  const net = means[means.length - 1] - means[0];
  if (spread < LEAST_MOVE || Math.abs(net) < NET_MOVE * spread) return 'mixed';
  return net > 0 ? 'raises' : 'lowers';
}

/** Features that get a dependence plot, and its points. */
const DEPENDENCE_FEATURES = 3;

/** The summary of rows already explained: contributions[row × features + f]. */
export function summarize(
  method: ExplainMethod,
  columns: FeatureColumn[],
  categoryNames: Array<string[] | null>,
  contributions: Float64Array,
  baseValue: number,
): ExplanationSummary {
  const width = columns.length;
  const rows = width > 0 ? lengthOf(columns[0]) : 0;
  const effects = columns.map((column, f): FeatureEffect => {
    const contribution = Float64Array.from(
      { length: rows },
      (_, row) => contributions[row * width + f],
    );
    let absolute = 0;
    for (const value of contribution) absolute += Math.abs(value);
    const missingRows: number[] = [];
    const present: number[] = [];
    for (let row = 0; row < rows; row++) (isMissing(column, row) ? missingRows : present).push(row);
    const missing =
      missingRows.length > 0
        ? {
            mean: round(mean(missingRows.map((row) => contribution[row]))),
            rows: missingRows.length,
          }
        : null;
    const values = column.kind === 'numeric' ? present.map((row) => column.values[row]) : [];
    const presentContributions = present.map((row) => contribution[row]);
    return {
      name: column.name,
      kind: column.kind,
      meanAbs: round(rows > 0 ? absolute / rows : 0),
      correlation:
        column.kind === 'numeric' ? nullableRound(spearman(values, presentContributions)) : null,
      direction: column.kind === 'numeric' ? directionOf(values, presentContributions) : null,
      categories:
        column.kind === 'categorical'
          ? categoryEffects(column, present, contribution, categoryNames[f] ?? [])
          : null,
      missing,
      points: null,
    };
  });
  const order = effects.map((_, f) => f).sort((a, b) => effects[b].meanAbs - effects[a].meanAbs);
  for (const f of order.slice(0, DEPENDENCE_FEATURES)) {
    const column = columns[f];
    const effect = effects[f];
    const points: Array<[number, number]> = [];
    for (let row = 0; row < rows; row++) {
      if (isMissing(column, row)) continue;
      const value =
        column.kind === 'numeric'
          ? column.values[row]
          : effect.categories!.findIndex(
              (c) => c.name === categoryName(column, row, categoryNames[f]),
            );
      points.push([round(value), round(contributions[row * width + f])]);
    }
    effect.points = points;
  }
  return { method, rows, baseValue: round(baseValue), features: order.map((f) => effects[f]) };
}

function categoryEffects(
  column: Extract<FeatureColumn, { kind: 'categorical' }>,
  present: number[],
  contribution: Float64Array,
  names: string[],
): Array<{ name: string; mean: number; rows: number }> {
  const byCode = new Map<number, number[]>();
  for (const row of present) {
    const code = column.codes[row];
    byCode.set(code, [...(byCode.get(code) ?? []), contribution[row]]);
  }
  return [...byCode.entries()]
    .map(([code, values]) => ({
      name: names[code] ?? String(code),
      mean: round(mean(values)),
      rows: values.length,
    }))
    .sort((a, b) => b.mean - a.mean);
}

function categoryName(
  column: Extract<FeatureColumn, { kind: 'categorical' }>,
  row: number,
  names: string[] | null,
): string {
  const code = column.codes[row];
  return names?.[code] ?? String(code);
}

/** Spearman's rank correlation (ties share their mean rank); null when either side is constant. */
export function spearman(x: number[], y: number[]): number | null {
  if (x.length < 3) return null;
  const rx = ranks(x);
  const ry = ranks(y);
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

function ranks(values: number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    for (let k = start; k <= end; k++) out[order[k]] = (start + end) / 2;
    start = end + 1;
  }
  return out;
}

function isMissing(column: FeatureColumn, row: number): boolean {
  if (column.kind === 'numeric') return Number.isNaN(column.values[row]);
  const code = column.codes[row];
  return code < 0 || code >= column.categories;
}

function lengthOf(column: FeatureColumn): number {
  return column.kind === 'numeric' ? column.values.length : column.codes.length;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length > 0 ? sum / values.length : 0;
}

/** Six significant digits: the stored summary stays small and diffs cleanly. */
function round(value: number): number {
  return Number(value.toPrecision(6));
}

function nullableRound(value: number | null): number | null {
  return value === null ? null : round(value);
}
