import { describe, expect, it } from 'vitest';
import { evaluationCurves, thin } from '../../src/evaluation/curves.js';
import { averagePrecision, rocCurve } from '../../src/evaluation/index.js';
import { Random } from '../../src/common/random.js';

describe('the curves kept with a model', () => {
  it('are the full curves for a small set, with the class histograms', () => {
    const labels = [0, 0, 1, 1];
    const scores = [0.1, 0.4, 0.35, 0.8];
    const curves = evaluationCurves(labels, scores);
    // scikit-learn's roc_curve(drop_intermediate=False) on these: fpr 0 0 .5 .5 1, tpr 0 .5 .5 1 1
    expect(curves.roc).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 0.5],
      [0.5, 1],
      [1, 1],
    ]);
    expect(curves.precisionRecall[0]).toEqual([0, 1]);
    expect(curves.averagePrecision).toBeCloseTo(averagePrecision(labels, scores), 5);
    expect(curves.rows).toBe(4);
    expect(curves.positives).toBe(2);
    // Bins of 0.05: 0.1 → 2, 0.4 → 8 (stayed); 0.35 → 7, 0.8 → 16 (churned).
    const { negatives, positives, bins } = curves.scoreHistogram;
    expect(bins).toBe(20);
    expect(negatives.flatMap((count, bin) => (count ? [bin] : []))).toEqual([2, 8]);
    expect(positives.flatMap((count, bin) => (count ? [bin] : []))).toEqual([7, 16]);
  });

  it('thin a long curve to a few hundred points that stay close to it', () => {
    const random = new Random(7);
    const labels = Array.from({ length: 20000 }, () => (random.next() < 0.3 ? 1 : 0));
    const scores = labels.map((label) => Math.min(1, random.next() * 0.7 + label * 0.3));
    const full = rocCurve(labels, scores).map((p) => [p.falsePositiveRate, p.truePositiveRate]);
    const curves = evaluationCurves(labels, scores);
    expect(full.length).toBeGreaterThan(10000);
    expect(curves.roc.length).toBeLessThanOrEqual(400);
    expect(curves.roc[0]).toEqual([0, 0]);
    expect(curves.roc.at(-1)).toEqual([1, 1]);
    // Every full point lies within one thinning step of the kept polyline's nearest vertex.
    let worst = 0;
    for (const [x, y] of full) {
      let best = Infinity;
      for (const [kx, ky] of curves.roc)
        best = Math.min(best, Math.max(Math.abs(kx - x), Math.abs(ky - y)));
      worst = Math.max(worst, best);
    }
    expect(worst).toBeLessThanOrEqual(1 / 200 + 1e-5);
    const histogramTotal = [
      ...curves.scoreHistogram.negatives,
      ...curves.scoreHistogram.positives,
    ].reduce((sum, count) => sum + count, 0);
    expect(histogramTotal).toBe(20000);
  });

  it('keep the ends of a two-point curve', () => {
    expect(
      thin([
        [0, 0],
        [1, 1],
      ]),
    ).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });
});
