import { describe, expect, it } from 'vitest';
import { directionOf, spearman, summarize } from '../../src/evaluation/explanations.js';
import type { FeatureColumn } from '../../src/forest/index.js';

const numeric = (name: string, values: number[]): FeatureColumn => ({
  name,
  kind: 'numeric',
  values: Float64Array.from(values),
});

/** Row-major contributions from one array per feature. */
function rowMajor(perFeature: number[][]): Float64Array {
  const rows = perFeature[0].length;
  const out = new Float64Array(rows * perFeature.length);
  perFeature.forEach((values, f) =>
    values.forEach((v, row) => (out[row * perFeature.length + f] = v)),
  );
  return out;
}

describe('the direction of a numeric feature', () => {
  const values = Array.from({ length: 100 }, (_, i) => i);
  it('is raises or lowers for an effect that climbs or falls, even with a dip', () => {
    expect(
      directionOf(
        values,
        values.map((v) => v / 1000),
      ),
    ).toBe('raises');
    expect(
      directionOf(
        values,
        values.map((v) => -v / 1000),
      ),
    ).toBe('lowers');
    // Rises, dips a little at the top: still rising overall.
    expect(
      directionOf(
        values,
        values.map((v) => (v < 80 ? v / 1000 : 0.06)),
      ),
    ).toBe('raises');
  });

  it('is mixed for an effect that rises then falls back, and for one that hardly moves', () => {
    expect(
      directionOf(
        values,
        values.map((v) => -Math.abs(v - 50) / 500),
      ),
    ).toBe('mixed');
    expect(
      directionOf(
        values,
        values.map((v) => v / 1e6),
      ),
    ).toBe('mixed');
  });

  it('keeps rows of one value in one band: few distinct values, as a count of products', () => {
    // 1 and 2 products most of the rows; 3 and 4 raise sharply: down, then up, then down.
    const products = [...Array(50).fill(1), ...Array(40).fill(2), ...Array(8).fill(3), 4, 4];
    const effect = products.map((p) => [0, 0.05, -0.12, 0.45, 0.3][p]);
    expect(directionOf(products, effect)).toBe('mixed');
  });
});

describe('the summary of explanations', () => {
  it('orders features by mean absolute contribution and plots the strongest three', () => {
    const rows = 60;
    const x = Array.from({ length: rows }, (_, i) => i);
    const columns: FeatureColumn[] = [
      numeric('weak', x),
      numeric('strong', x),
      { name: 'kind', kind: 'categorical', codes: Int32Array.from(x, (i) => i % 3), categories: 3 },
      numeric(
        'gapped',
        x.map((i) => (i % 4 === 0 ? NaN : i)),
      ),
      numeric('faint', x),
    ];
    const contributions = rowMajor([
      x.map(() => 0.001),
      x.map((i) => (i - 30) / 100),
      x.map((i) => [0.05, -0.02, 0.01][i % 3]),
      x.map((i) => (i % 4 === 0 ? -0.03 : -i / 1000)),
      x.map(() => 0),
    ]);
    const summary = summarize(
      'exact',
      columns,
      [null, null, ['a', 'b', 'c'], null, null],
      contributions,
      0.3,
    );
    expect(summary.features.map((f) => f.name)).toEqual([
      'strong',
      'gapped',
      'kind',
      'weak',
      'faint',
    ]);
    const [strong, gapped, kind, weak, faint] = summary.features;
    expect(strong.meanAbs).toBeCloseTo(x.reduce((s, i) => s + Math.abs(i - 30) / 100, 0) / rows, 6);
    expect(strong.direction).toBe('raises');
    expect(strong.correlation).toBe(1);
    expect(gapped.direction).toBe('lowers');
    expect(gapped.missing).toEqual({ mean: -0.03, rows: 15 });
    expect(gapped.points).toHaveLength(45); // missing values are not drawn
    expect(kind.direction).toBeNull();
    expect(kind.categories).toEqual([
      { name: 'a', mean: 0.05, rows: 20 },
      { name: 'c', mean: 0.01, rows: 20 },
      { name: 'b', mean: -0.02, rows: 20 },
    ]);
    // A category's point sits at its index in `categories`.
    expect(kind.points![1]).toEqual([2, -0.02]);
    expect(weak.points).toBeNull();
    expect(faint.meanAbs).toBe(0);
    expect(summary).toMatchObject({ method: 'exact', rows, baseValue: 0.3 });
  });

  it('ranks ties together in the rank correlation', () => {
    expect(spearman([1, 2, 2, 3], [1, 2, 2, 3])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 1, 1], [1, 2, 3, 4])).toBeNull();
  });
});
