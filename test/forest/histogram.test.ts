import { describe, expect, it } from 'vitest';
import { Random } from '../../src/common/random.js';
import { growingProblem } from '../../src/forest/forest.js';
import {
  buildHistogram,
  buildHistogramNaive,
  CHANNELS,
  newHistogram,
  subtractInto,
  summarizeHistogram,
  summarizeRows,
} from '../../src/forest/histogram.js';
import { newSummary } from '../../src/forest/splitting.js';
import { DEFAULT_PARAMS } from '../../src/forest/types.js';
import { mixedRows } from './stage-data.js';

/** A node's rows as the grower lays them out: indices, and label and weight by position. */
function nodeRows(rows: number, seed: number) {
  const data = mixedRows(rows, 40, seed);
  const problem = growingProblem(data, { ...DEFAULT_PARAMS, minCategoryCount: 1 }, false);
  const random = new Random(seed + 1);
  const indices = Int32Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  // Integer weights, as bootstrap counts are.
  const weights = Float64Array.from({ length: rows }, () => 1 + random.int(3));
  const positionLabel = Uint8Array.from(indices, (row) => problem.labels[row]);
  const positionWeight = Float64Array.from(indices, (row) => weights[row]);
  return { problem, indices, weights, positionLabel, positionWeight };
}

describe('histograms', () => {
  it('built from a slice of rows equal the naive reference kernel, every bin and channel', () => {
    const { problem, indices, weights, positionLabel, positionWeight } = nodeRows(3000, 1);
    const built = newHistogram(problem.layout);
    built.fill(7); // whatever was there before is cleared
    buildHistogram(
      built,
      problem.layout,
      problem.bins,
      positionLabel,
      positionWeight,
      indices,
      500,
      2200,
    );
    const reference = buildHistogramNaive(
      problem.layout,
      problem.bins,
      problem.labels,
      weights,
      indices.subarray(500, 2200),
    );
    expect(Array.from(built)).toEqual(Array.from(reference));
  });

  it('of the larger child, as parent minus smaller child, equal its histogram built from its rows', () => {
    const { problem, indices, weights, positionLabel, positionWeight } = nodeRows(2000, 2);
    const build = (start: number, end: number) => {
      const out = newHistogram(problem.layout);
      buildHistogram(
        out,
        problem.layout,
        problem.bins,
        positionLabel,
        positionWeight,
        indices,
        start,
        end,
      );
      return out;
    };
    const parent = build(0, 2000);
    subtractInto(parent, build(0, 700));
    const reference = buildHistogramNaive(
      problem.layout,
      problem.bins,
      problem.labels,
      weights,
      indices.subarray(700, 2000),
    );
    // Every channel, the row count too: with integer weights subtraction is exact.
    for (let channel = 0; channel < CHANNELS; channel++) {
      const of = (h: Float64Array) => Array.from(h).filter((_, i) => i % CHANNELS === channel);
      expect(of(parent)).toEqual(of(reference));
    }
  });

  it('summarized from rows and from the full histogram give the same occupied bins', () => {
    const { problem, indices, positionLabel, positionWeight } = nodeRows(1500, 3);
    const histogram = newHistogram(problem.layout);
    const [start, end] = [100, 160]; // a small node: most bins empty
    buildHistogram(
      histogram,
      problem.layout,
      problem.bins,
      positionLabel,
      positionWeight,
      indices,
      start,
      end,
    );
    for (let f = 0; f < problem.featureCount; f++) {
      const fromRows = newSummary();
      const fromHistogram = newSummary();
      summarizeRows(
        f,
        problem.bins,
        problem.featureCount,
        positionLabel,
        positionWeight,
        indices,
        start,
        end,
        fromRows,
      );
      summarizeHistogram(histogram, problem.layout, f, fromHistogram);
      const entries = (s: typeof fromRows) =>
        Array.from({ length: s.size }, (_, k) => [
          s.bin[k],
          s.negative[k],
          s.positive[k],
          s.rows[k],
        ]);
      expect(fromRows.size).toBeGreaterThan(1);
      expect(entries(fromRows)).toEqual(entries(fromHistogram));
      // Rows summed over the bins: every row once.
      expect(entries(fromRows).reduce((sum, e) => sum + e[3], 0)).toBe(end - start);
    }
    // The row kernel's scratch is clean after each call: the same node summarized twice agrees.
    const once = newSummary();
    const twice = newSummary();
    summarizeRows(
      0,
      problem.bins,
      problem.featureCount,
      positionLabel,
      positionWeight,
      indices,
      start,
      end,
      once,
    );
    summarizeRows(
      0,
      problem.bins,
      problem.featureCount,
      positionLabel,
      positionWeight,
      indices,
      start,
      end,
      twice,
    );
    expect(Array.from(twice.rows.subarray(0, twice.size))).toEqual(
      Array.from(once.rows.subarray(0, once.size)),
    );
  });
});
