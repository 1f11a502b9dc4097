import { describe, expect, it } from 'vitest';
import { BatchDrift, DriftCounter, profileScores, psi } from '../../src/evaluation/index.js';

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

describe('drift of a whole batch', () => {
  it('adds blocks of numeric and categorical columns and scores, as one pass would', () => {
    const features = [
      { name: 'age', reference: { edges: [40], shares: [0.5, 0.5], missing: 0 } },
      { name: 'country', reference: { shares: [0.5, 0.5], missing: 0 } },
    ];
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
});
