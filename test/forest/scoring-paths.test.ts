import { describe, expect, it } from 'vitest';
import { trainForest, type FeatureColumn } from '../../src/forest/index.js';
import { deserializeForest } from '../../src/forest/serialize.js';
import type { FlatForest } from '../../src/forest/flat-forest.js';
import { predictRange, toScoringColumns } from '../../src/forest/predictor.js';
import { threeFeatureRows } from './stage-data.js';

function scoreBothWays(flat: FlatForest, columns: Float64Array[], rows: number) {
  const fast = new Float64Array(rows);
  const general = new Float64Array(rows);
  predictRange(flat, columns, 0, rows, fast);
  predictRange({ ...flat, lockstep: null }, columns, 0, rows, general);
  return { fast, general };
}

describe('the two scoring walks', () => {
  it('give the same bits with missing values, categories and codes the forest never saw', async () => {
    const data = threeFeatureRows(3000, 12, 7);
    const { forest } = await trainForest(data, {
      trees: 20,
      seed: 3,
      threads: 1,
      minSamplesLeaf: 2,
    });
    const flat = deserializeForest(forest.toJSON()).flat;
    expect(flat.lockstep).not.toBeNull();
    const scoring = threeFeatureRows(2001, 12, 8); // an odd count leaves rows outside the lanes of four
    const codes = (scoring.features[2] as { codes: Int32Array }).codes;
    codes[5] = 40; // beyond the forest's categories: scored as missing
    const columns = toScoringColumns(scoring.features, flat);
    const { fast, general } = scoreBothWays(flat, columns, 2001);
    expect(Array.from(fast)).toEqual(Array.from(general));
    expect(Array.from(forest.predictProba(scoring.features))).toEqual(Array.from(fast));
    codes[5] = -1;
    expect(forest.predictProba(scoring.features)[5]).toBe(fast[5]);
  });

  it('falls back to the general walk when a categorical feature has more than 32 codes', async () => {
    const data = threeFeatureRows(3000, 60, 9);
    const { forest } = await trainForest(data, {
      trees: 5,
      seed: 3,
      threads: 1,
      minCategoryCount: 1,
    });
    const flat = deserializeForest(forest.toJSON()).flat;
    expect(flat.lockstep).toBeNull();
    const scoring = threeFeatureRows(500, 60, 10);
    const scores = forest.predictProba(scoring.features);
    expect(scores.every((p) => p >= 0 && p <= 1)).toBe(true);
  });

  it('scores a large batch on workers and the calling thread, exactly as on one thread', async () => {
    const data = threeFeatureRows(3000, 12, 11);
    const { forest } = await trainForest(data, { trees: 30, seed: 1, threads: 1 });
    const scoring = threeFeatureRows(150_000, 12, 12);
    const parallel = await forest.score(scoring.features, 2);
    expect(Array.from(parallel)).toEqual(Array.from(forest.predictProba(scoring.features)));
  });
});

describe('a scoring stream', () => {
  it('gives each batch the probabilities of scoring it alone, whatever the batch sizes', async () => {
    const data = threeFeatureRows(3000, 12, 11);
    const { forest } = await trainForest(data, { trees: 20, seed: 5, threads: 2 });
    const slice = (start: number, end: number): FeatureColumn[] =>
      data.features.map((column) =>
        column.kind === 'numeric'
          ? { ...column, values: column.values.slice(start, end) }
          : { ...column, codes: column.codes.slice(start, end) },
      );
    const bounds = [0, 1, 2049, 2050, 2500, 2500, 3000]; // one row, a block and one, none, the rest
    for (const workers of [1, 2]) {
      const stream = forest.scoringStream(workers);
      const batches = bounds.slice(1).map((end, i) => slice(bounds[i], end));
      const queued = batches.map((columns) => stream.submit(columns));
      // The calling thread lends a hand on some, and lets the workers do others alone.
      await stream.helpUntil(queued[2]);
      const scored = await Promise.all(queued);
      await stream.close();
      scored.forEach((scores, i) => {
        expect(Array.from(scores), `batch ${i}, ${workers} workers`).toEqual(
          Array.from(forest.predictProba(batches[i])),
        );
      });
    }
    // The workers went back to the pool: scoring still works.
    expect((await forest.score(slice(0, 3000), 2)).length).toBe(3000);
  });
});
