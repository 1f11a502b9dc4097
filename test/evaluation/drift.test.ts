/**
 * Drift kernels and the batch drift a model's profiles give. Reference values from scipy 1.10
 * (Debian python3-scipy): scipy.stats.wasserstein_distance, scipy.spatial.distance.jensenshannon
 * with base=2, numpy.std; the Wasserstein distance of large samples against a naive kernel below
 * that sorts both samples and integrates the gap between their step functions.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/common/random.js';
import {
  BatchDrift,
  DISTRIBUTION_POINTS,
  DriftCounter,
  jensenShannon,
  PointCounter,
  profileColumn,
  profileScores,
  psi,
  type ColumnProfile,
} from '../../src/evaluation/index.js';

const numeric = (values: number[]) => ({
  kind: 'numeric' as const,
  values: Float64Array.from(values),
});
const THRESHOLDS = { wasserstein: 0.1, jensenShannon: 0.1, share: 0.5 };

/** Wasserstein-1 of two samples: ∫ |F − G| between consecutive distinct values of both. */
function naiveWasserstein(a: number[], b: number[]): number {
  const all = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const cdf = (sample: number[], x: number) => sample.filter((v) => v <= x).length / sample.length;
  let area = 0;
  for (let i = 0; i + 1 < all.length; i++) {
    area += Math.abs(cdf(a, all[i]) - cdf(b, all[i])) * (all[i + 1] - all[i]);
  }
  return area;
}

function wassersteinOf(reference: number[], batch: number[]): number {
  const profile = profileColumn(numeric(reference));
  const counter = new PointCounter(profile.distribution!);
  counter.addValues(batch);
  return counter.normalizedWasserstein() * Math.max(profile.distribution!.std, 0.001);
}

describe('population stability index', () => {
  it('matches a hand computation, and is 0 for the same distribution', () => {
    // (0.3-0.5)·ln(0.3/0.5) + (0.7-0.5)·ln(0.7/0.5) = 0.1021651 + 0.0672944 = 0.1694596
    expect(psi([0.5, 0.5], [0.3, 0.7])).toBeCloseTo(0.1694596, 6);
    expect(psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
    // An emptied bin is floored at 0.0001, not infinite: (0.0001-0.5)·ln(0.0001/0.5) + (1-0.5)·ln(2)
    expect(psi([0.5, 0.5], [0, 1])).toBeCloseTo(0.4999 * Math.log(5000) + 0.5 * Math.log(2), 6);
  });

  it('counts a batch into the reference bins, missing values in a bin of their own', () => {
    const counter = new DriftCounter({ edges: [10], shares: [0.4, 0.4], missing: 0.2 });
    counter.addValues([5, 10, 11, 20, NaN]); // bins: ≤10 twice, >10 twice, missing once
    expect(counter.psi()).toBeCloseTo(0, 12);
    const shifted = new DriftCounter({ edges: [10], shares: [0.4, 0.4], missing: 0.2 });
    shifted.addValues([11, 12, 13, 14, 15]);
    expect(shifted.psi()).toBeCloseTo(psi([0.4, 0.4, 0.2], [0, 1, 0]), 12);
  });

  it('bins scores in tenths for the reference a model keeps', () => {
    expect(profileScores([0.05, 0.1, 0.15, 0.95])).toEqual({
      edges: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
      shares: [0.5, 0.25, 0, 0, 0, 0, 0, 0, 0, 0.25],
      missing: 0,
    });
  });
});

describe('Jensen–Shannon distance', () => {
  it('matches scipy with base 2, normalizing counts, and is 0 or 1 at the extremes', () => {
    expect(jensenShannon([0.5, 0.3, 0.2], [0.2, 0.3, 0.5])).toBeCloseTo(0.30954095367714807, 12);
    expect(jensenShannon([0.5, 0.5, 0], [0, 0.5, 0.5])).toBeCloseTo(0.7071067811865476, 12);
    expect(jensenShannon([30, 20, 0], [10, 10, 5])).toBeCloseTo(0.33841498603440373, 12);
    expect(jensenShannon([0.2, 0.8], [0.2, 0.8])).toBe(0);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 12);
  });
});

describe('the profile of a numeric column', () => {
  it('keeps every distinct value with its exact share, and the standard deviation', () => {
    const profile = profileColumn(numeric([3, 1, 2, 3, NaN, 4]));
    expect(profile.distribution).toEqual({
      points: [1, 2, 3, 4],
      cumulative: [0.2, 0.4, 0.8, 1],
      std: 1.019803902718557, // numpy.std([1, 2, 3, 3, 4])
      distinct: 4,
    });
    expect(profile.missing).toBeCloseTo(1 / 6, 6);
  });

  it('keeps quantiles of a column with many distinct values, each an equal share', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    const { distribution } = profileColumn(numeric(values));
    expect(distribution!.points).toHaveLength(DISTRIBUTION_POINTS);
    expect(distribution!.distinct).toBe(10_000);
    expect(distribution!.points[0]).toBe(10); // the (0 + 0.5) / 500 quantile
    expect(distribution!.cumulative[0]).toBeCloseTo(1 / DISTRIBUTION_POINTS, 9);
    expect(distribution!.cumulative.at(-1)).toBe(1);
  });

  it('has no distribution when no value is present', () => {
    expect(profileColumn(numeric([NaN, NaN])).distribution).toBeUndefined();
  });
});

describe('Wasserstein distance', () => {
  it('matches scipy exactly when the reference keeps every value', () => {
    expect(wassersteinOf([1, 2, 3, 3, 4], [2, 3, 5, 6])).toBeCloseTo(1.4, 12);
    expect(wassersteinOf([0, 0, 1, 1, 1, 2], [0, 1, 1, 2, 2, 2, 3])).toBeCloseTo(
      0.7380952380952382,
      12,
    );
    // Values below the smallest reference value and above the largest, where sums make it exact.
    expect(wassersteinOf([10, 20, 30, 40], [-5, 10, 30, 40, 50])).toBeCloseTo(
      naiveWasserstein([10, 20, 30, 40], [-5, 10, 30, 40, 50]),
      12,
    );
    expect(wassersteinOf([1, 2, 3], [1, 2, 3])).toBe(0);
  });

  it('stays within a hundredth of a standard deviation on large continuous samples', () => {
    const random = new Random(7);
    const reference = Array.from({ length: 6000 }, () => random.normal(650, 97));
    for (const [shift, scale] of [
      [0, 1],
      [25, 1.1],
      [100, 1],
    ]) {
      const batch = Array.from({ length: 2000 }, () => random.normal(650 + shift, 97 * scale));
      const exact = naiveWasserstein(reference, batch);
      expect(Math.abs(wassersteinOf(reference, batch) - exact) / 97, `shift ${shift}`).toBeLessThan(
        0.01,
      );
    }
  });

  it('is NaN for a batch with no value present', () => {
    const counter = new PointCounter(profileColumn(numeric([1, 2, 3])).distribution!);
    counter.addValues([NaN]);
    expect(counter.normalizedWasserstein()).toBeNaN();
  });
});

describe('drift of a whole batch', () => {
  const features: Array<{ name: string; reference: ColumnProfile }> = [
    { name: 'age', reference: { edges: [40], shares: [0.5, 0.5], missing: 0 } },
    { name: 'country', reference: { shares: [0.5, 0.5], missing: 0 } },
  ];

  it('adds blocks of numeric and categorical columns and scores, as one pass would', () => {
    const drift = new BatchDrift(features, { edges: [0.5], shares: [0.5, 0.5], missing: 0 });
    drift.addColumns([
      { kind: 'numeric', values: [30, 50] },
      { kind: 'categorical', codes: [0, 1] },
    ]);
    drift.addColumns([
      { kind: 'numeric', values: [60, 70] },
      { kind: 'categorical', codes: [0, -1] }, // an unseen category counts as missing
    ]);
    drift.addScores([0.1, 0.9, 0.95, 0.99]);
    // age: a quarter ≤ 40, three quarters above; country: half code 0, a quarter code 1, a quarter missing.
    expect(drift.featurePsi()).toEqual({
      age: Number(psi([0.5, 0.5, 0], [0.25, 0.75, 0]).toFixed(4)),
      country: Number(psi([0.5, 0.5, 0], [0.5, 0.25, 0.25]).toFixed(4)),
    });
    expect(drift.scorePsi()).toBe(Number(psi([0.5, 0.5, 0], [0.25, 0.75, 0]).toFixed(4)));
    expect(new BatchDrift(features, undefined).scorePsi()).toBeNull();
  });

  it('judges numbers by Wasserstein, categories and few-valued numbers by Jensen–Shannon', () => {
    const random = new Random(3);
    const ages = Array.from({ length: 3000 }, () => Math.round(random.normal(38, 10)));
    const products = Array.from({ length: 3000 }, () => 1 + random.int(4));
    const reference = [
      { name: 'age', reference: profileColumn(numeric(ages)) },
      { name: 'products', reference: profileColumn(numeric(products)) },
      {
        name: 'country',
        reference: profileColumn({
          kind: 'categorical',
          codes: Int32Array.from({ length: 3000 }, (_, i) => i % 3),
          categories: 3,
        }),
      },
    ];
    const batch = (ageShift: number, productShare: number) => {
      const drift = new BatchDrift(reference, null);
      drift.addColumns([
        { kind: 'numeric', values: ages.slice(0, 1000).map((age) => age + ageShift) },
        {
          kind: 'numeric',
          values: products.slice(0, 1000).map((p, i) => (i < productShare * 1000 ? 4 : p)),
        },
        { kind: 'categorical', codes: Int32Array.from({ length: 1000 }, (_, i) => i % 3) },
      ]);
      return drift.report(THRESHOLDS);
    };
    const same = batch(0, 0);
    expect(same.features.age.method).toBe('wasserstein');
    expect(same.features.products.method).toBe('jensenshannon');
    expect(same.features.country.method).toBe('jensenshannon');
    expect(Object.values(same.features).every((feature) => !feature.drifted)).toBe(true);
    expect(same).toMatchObject({ share: 0, detected: false, score: null });

    // Five years on a standard deviation of ten: half a standard deviation of mass moved.
    const older = batch(5, 0);
    expect(older.features.age.distance).toBeCloseTo(0.5, 1);
    expect(older.features.age.drifted).toBe(true);
    expect(older.share).toBeCloseTo(1 / 3, 4);
    expect(older.detected).toBe(false);

    const both = batch(5, 0.5);
    expect(both.features.products.drifted).toBe(true);
    expect(both.share).toBeCloseTo(2 / 3, 4);
    expect(both.detected).toBe(true);
  });

  it('counts a feature with no value in the batch as drifted, and old bin-only profiles by their bins', () => {
    const drift = new BatchDrift(
      [
        { name: 'income', reference: profileColumn(numeric([1, 2, 3, 4, 5, 6, 7, 8])) },
        { name: 'age', reference: { edges: [40], shares: [0.5, 0.5], missing: 0 } },
      ],
      null,
    );
    drift.addColumns([
      { kind: 'numeric', values: [NaN, NaN] },
      { kind: 'numeric', values: [30, 50] },
    ]);
    const report = drift.report(THRESHOLDS);
    expect(report.features.income).toMatchObject({
      method: 'wasserstein',
      distance: null,
      drifted: true,
    });
    expect(report.features.age).toMatchObject({
      method: 'jensenshannon',
      distance: 0,
      drifted: false,
    });
    expect(report).toMatchObject({ share: 0.5, detected: true });
  });
});
