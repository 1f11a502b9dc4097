import { describe, expect, it } from 'vitest';
import { DriftCounter, psi, scoreReference } from '../../src/evaluation/index.js';

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
    expect(scoreReference([0.05, 0.1, 0.15, 0.95])).toEqual({
      edges: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
      shares: [0.5, 0.25, 0, 0, 0, 0, 0, 0, 0, 0.25],
      missing: 0,
    });
  });
});
