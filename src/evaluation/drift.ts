/**
 * Drift of a batch against the profiles a model keeps of its training rows, fed block by block as
 * the batch streams by. Each feature gets its population stability index over the profile's bins
 * and, as Evidently does by default for references of more than a thousand rows, a distance with a
 * verdict: the Wasserstein distance divided by the training standard deviation for numbers with
 * more than five distinct values, the Jensen–Shannon distance for categories and for numbers with
 * five or fewer. The batch has drifted when the share of drifted features reaches a threshold.
 */
import { countBelow } from '../common/search.js';
import { jensenShannon, psi, wasserstein, type PointCounts } from './distances.js';
import type { ColumnProfile, ValueDistribution } from './profile.js';

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

  /** The reference's and the batch's shares of each bin, missing last. */
  binShares(): { expected: number[]; actual: number[] } {
    const rows = Math.max(1, this.rows);
    return {
      expected: [...this.reference.shares, this.reference.missing],
      actual: [...Array.from(this.counts, (count) => count / rows), this.missing / rows],
    };
  }

  psi(): number {
    if (this.rows === 0) return 0;
    const { expected, actual } = this.binShares();
    return psi(expected, actual);
  }
}

/** Counts a batch's numeric values against the points of a reference distribution. */
export class PointCounter {
  readonly counts: PointCounts;
  missing = 0;

  constructor(private readonly reference: ValueDistribution) {
    const points = reference.points.length;
    this.counts = {
      below: 0,
      belowSum: 0,
      at: new Float64Array(points),
      between: new Float64Array(Math.max(0, points - 1)),
      above: 0,
      aboveSum: 0,
    };
  }

  addValues(values: ArrayLike<number>): void {
    const { points } = this.reference;
    const counts = this.counts;
    const last = points.length - 1;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value !== value) this.missing++;
      else if (value < points[0]) {
        counts.below++;
        counts.belowSum += value;
      } else if (value > points[last]) {
        counts.above++;
        counts.aboveSum += value;
      } else {
        const j = countBelow(points, value);
        if (points[j] === value) counts.at[j]++;
        else counts.between[j - 1]++;
      }
    }
  }

  /** Wasserstein distance over the reference's standard deviation; NaN with no value present. */
  normalizedWasserstein(): number {
    // Evidently's floor, so a constant reference column does not divide by zero.
    return wasserstein(this.reference, this.counts) / Math.max(this.reference.std, 0.001);
  }

  /**
   * Jensen–Shannon distance over the reference's values as categories, plus one for every other
   * value and missing ones, as for a categorical column: for numbers with few distinct values.
   */
  jensenShannon(profile: ColumnProfile): number {
    const present = 1 - profile.missing;
    const { cumulative } = this.reference;
    const expected = cumulative.map(
      (share, j) => (share - (j > 0 ? cumulative[j - 1] : 0)) * present,
    );
    const { below, above, at, between } = this.counts;
    let other = below + above + this.missing;
    for (const count of between) other += count;
    return jensenShannon([...expected, profile.missing], [...at, other]);
  }
}

export type DriftMethod = 'wasserstein' | 'jensenshannon';

/** From which distance a feature counts as drifted, and from which share of them the batch. */
export interface DriftThresholds {
  wasserstein: number;
  jensenShannon: number;
  share: number;
}

export interface FeatureDrift {
  psi: number;
  method: DriftMethod;
  /** Null when the batch has no value of the feature, which counts as drifted. */
  distance: number | null;
  drifted: boolean;
}

export interface DriftReport {
  features: Record<string, FeatureDrift>;
  /** Share of the features that drifted. */
  share: number;
  /** The share reached the threshold: the batch as a whole has drifted. */
  detected: boolean;
  /** PSI of the scores against the model's holdout scores; null without that profile. */
  score: number | null;
}

/** Evidently treats numbers with at most this many distinct values as categories. */
const FEW_VALUES = 5;

/** A batch's columns, numeric values (NaN = missing) or category codes (negative = missing). */
export type DriftColumn =
  | { kind: 'numeric'; values: ArrayLike<number> }
  | { kind: 'categorical'; codes: ArrayLike<number> };

interface FeatureCounters {
  name: string;
  profile: ColumnProfile;
  bins: DriftCounter;
  points: PointCounter | null;
}

/** Drift of a whole batch, fed block by block: every feature, and the scores. */
export class BatchDrift {
  private readonly features: FeatureCounters[];
  private readonly scores: DriftCounter | null;

  constructor(
    references: ReadonlyArray<{ name: string; reference: ColumnProfile }>,
    scoreReference: ColumnProfile | null | undefined,
  ) {
    this.features = references.map(({ name, reference }) => ({
      name,
      profile: reference,
      bins: new DriftCounter(reference),
      points: reference.distribution ? new PointCounter(reference.distribution) : null,
    }));
    this.scores = scoreReference ? new DriftCounter(scoreReference) : null;
  }

  /** Columns in the order of the references. */
  addColumns(columns: readonly DriftColumn[]): void {
    columns.forEach((column, f) => {
      const feature = this.features[f];
      if (column.kind === 'numeric') {
        feature.bins.addValues(column.values);
        feature.points?.addValues(column.values);
      } else feature.bins.addCodes(column.codes);
    });
  }

  addScores(scores: ArrayLike<number>): void {
    this.scores?.addValues(scores);
  }

  /** Each feature's PSI, to four decimals. */
  featurePsi(): Record<string, number> {
    return Object.fromEntries(
      this.features.map((feature) => [feature.name, round4(feature.bins.psi())]),
    );
  }

  /** The scores' PSI, to four decimals; null when the model stored no score reference. */
  scorePsi(): number | null {
    return this.scores ? round4(this.scores.psi()) : null;
  }

  /** Every feature's PSI, distance and verdict, and the batch's. Figures to four decimals. */
  report(thresholds: DriftThresholds): DriftReport {
    const features: Record<string, FeatureDrift> = {};
    let drifted = 0;
    for (const feature of this.features) {
      const verdict = judge(feature, thresholds);
      features[feature.name] = { psi: round4(feature.bins.psi()), ...verdict };
      if (verdict.drifted) drifted++;
    }
    const share = this.features.length > 0 ? drifted / this.features.length : 0;
    return {
      features,
      share: round4(share),
      detected: share >= thresholds.share,
      score: this.scorePsi(),
    };
  }
}

function judge(
  { profile, bins, points }: FeatureCounters,
  thresholds: DriftThresholds,
): Omit<FeatureDrift, 'psi'> {
  if (points !== null && profile.distribution!.distinct > FEW_VALUES) {
    const distance = points.normalizedWasserstein();
    if (Number.isNaN(distance)) return { method: 'wasserstein', distance: null, drifted: true };
    return {
      method: 'wasserstein',
      distance: round4(distance),
      drifted: distance >= thresholds.wasserstein,
    };
  }
  // Categories, numbers with few values, and numbers of models that kept only their bins.
  let distance: number;
  if (points !== null) distance = points.jensenShannon(profile);
  else {
    const { expected, actual } = bins.binShares();
    distance = jensenShannon(expected, actual);
  }
  return {
    method: 'jensenshannon',
    distance: round4(distance),
    drifted: distance >= thresholds.jensenShannon,
  };
}

const round4 = (value: number) => Number(value.toFixed(4));
