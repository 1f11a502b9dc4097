/**
 * Population stability index: how far a batch's distribution has moved from a reference one,
 * over the same bins (missing values in a bin of their own):
 *   PSI = Σ (actual − expected) · ln(actual / expected)
 * Shares of zero are floored at 0.0001 so an empty bin counts as very different, not infinite.
 * Rule of thumb: below 0.1 stable, 0.1 to 0.25 moving, above 0.25 shifted.
 */
import { countBelow } from '../common/search.js';
import type { ColumnProfile } from './profile.js';

const FLOOR = 1e-4;

export function psi(expected: readonly number[], actual: readonly number[]): number {
  if (expected.length !== actual.length) {
    throw new RangeError(`${expected.length} reference bins but ${actual.length} batch bins`);
  }
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], FLOOR);
    const a = Math.max(actual[i], FLOOR);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Counts a batch into a profile's bins, then gives its PSI against the profile. */
export class DriftCounter {
  private readonly counts: Float64Array;
  private missing = 0;
  private rows = 0;

  constructor(private readonly reference: ColumnProfile) {
    this.counts = new Float64Array(reference.shares.length);
  }

  /** Numeric values (NaN = missing). */
  addValues(values: ArrayLike<number>): void {
    const edges = this.reference.edges ?? [];
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value !== value) this.missing++;
      else this.counts[countBelow(edges, value)]++;
    }
    this.rows += values.length;
  }

  /** Category codes (negative = missing or unknown). */
  addCodes(codes: ArrayLike<number>): void {
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code < 0 || code >= this.counts.length) this.missing++;
      else this.counts[code]++;
    }
    this.rows += codes.length;
  }

  psi(): number {
    if (this.rows === 0) return 0;
    const actual = [
      ...Array.from(this.counts, (count) => count / this.rows),
      this.missing / this.rows,
    ];
    const expected = [...this.reference.shares, this.reference.missing];
    return psi(expected, actual);
  }
}

/** A batch's columns, numeric values (NaN = missing) or category codes (negative = missing). */
export type DriftColumn =
  | { kind: 'numeric'; values: ArrayLike<number> }
  | { kind: 'categorical'; codes: ArrayLike<number> };

/** Drift of a whole batch, fed block by block: every feature, and the scores. */
export class BatchDrift {
  private readonly features: DriftCounter[];
  private readonly scores: DriftCounter | null;

  constructor(
    private readonly references: ReadonlyArray<{ name: string; reference: ColumnProfile }>,
    scoreReference: ColumnProfile | null | undefined,
  ) {
    this.features = references.map((feature) => new DriftCounter(feature.reference));
    this.scores = scoreReference ? new DriftCounter(scoreReference) : null;
  }

  /** Columns in the order of the references. */
  addColumns(columns: readonly DriftColumn[]): void {
    columns.forEach((column, f) =>
      column.kind === 'numeric'
        ? this.features[f].addValues(column.values)
        : this.features[f].addCodes(column.codes),
    );
  }

  addScores(scores: ArrayLike<number>): void {
    this.scores?.addValues(scores);
  }

  /** Each feature's PSI, to four decimals. */
  featurePsi(): Record<string, number> {
    return Object.fromEntries(
      this.references.map((feature, f) => [feature.name, round4(this.features[f].psi())]),
    );
  }

  /** The scores' PSI, to four decimals; null when the model stored no score reference. */
  scorePsi(): number | null {
    return this.scores ? round4(this.scores.psi()) : null;
  }
}

const round4 = (value: number) => Number(value.toFixed(4));
