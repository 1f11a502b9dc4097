import { describe, expect, it } from 'vitest';
import { stratifiedSplit } from '../../src/data/split.js';

describe('stratifiedSplit', () => {
  const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i % 5 === 0 ? 1 : 0));

  it('holds out the share of each class, disjoint from training, covering every row', () => {
    const { train, holdout } = stratifiedSplit(labels, 0.15, 42);
    expect(holdout.length).toBe(150);
    expect(Array.from(holdout).filter((row) => labels[row] === 1).length).toBe(30);
    const all = new Set([...train, ...holdout]);
    expect(all.size).toBe(1000);
  });

  it('gives the same split for the same seed and another for another seed', () => {
    const a = stratifiedSplit(labels, 0.15, 42).holdout;
    expect(stratifiedSplit(labels, 0.15, 42).holdout).toEqual(a);
    expect(stratifiedSplit(labels, 0.15, 43).holdout).not.toEqual(a);
  });

  it('keeps a row of each class on each side, and refuses a class of one row', () => {
    const few = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const { train, holdout } = stratifiedSplit(few, 0.1, 1);
    expect(Array.from(holdout).some((row) => few[row] === 1)).toBe(true);
    expect(Array.from(train).some((row) => few[row] === 1)).toBe(true);
    expect(() => stratifiedSplit(Uint8Array.from([1, 0, 0]), 0.3, 1)).toThrow(/at least 2 rows/);
  });
});
