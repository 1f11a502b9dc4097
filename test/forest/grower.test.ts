import { describe, expect, it } from 'vitest';
import { growingProblem, treeParams } from '../../src/forest/forest.js';
import { growTree, OOB_SCALE, Workspace } from '../../src/forest/grower.js';
import { trainForest } from '../../src/forest/index.js';
import { DEFAULT_PARAMS, type ForestParams } from '../../src/forest/types.js';
import { mixedRows } from './stage-data.js';

const settings: ForestParams = {
  ...DEFAULT_PARAMS,
  minSamplesLeaf: 3,
  minCategoryCount: 1,
  minCategoryRows: 5,
  threads: 1,
};

function grow(denseNodeRows: number, seed: number, overrides: Partial<ForestParams> = {}) {
  const data = mixedRows(4000, 30, 11);
  const all = { ...settings, ...overrides };
  const problem = growingProblem(data, all, false);
  const params = { ...treeParams(all, problem.featureCount), denseNodeRows };
  const oob = { sum: new Float64Array(problem.rows), count: new Int32Array(problem.rows) };
  const grown = growTree(new Workspace(problem), params, seed, oob);
  return { ...grown, oob };
}

const arrays = (tree: ReturnType<typeof grow>['tree']) =>
  Object.fromEntries(Object.entries(tree).map(([name, array]) => [name, Array.from(array)]));

describe('growing one tree', () => {
  it('grows the same tree, byte for byte, from histograms and subtraction as from rows', () => {
    // Bootstrap counts are integer weights, so subtraction is exact and every node sees the
    // same summaries whichever path built them.
    for (const seed of [1, 2, 3]) {
      const fromHistograms = grow(0, seed);
      const fromRows = grow(Infinity, seed);
      expect(fromHistograms.tree.feature.length).toBeGreaterThan(100);
      expect(arrays(fromHistograms.tree)).toEqual(arrays(fromRows.tree));
      expect(Array.from(fromHistograms.importances)).toEqual(Array.from(fromRows.importances));
      expect(Array.from(fromHistograms.oob.sum)).toEqual(Array.from(fromRows.oob.sum));
    }
    // Row weights that are whole numbers too, categorical splits unregularized.
    const weighted = { minCategoryRows: 1, maxFeatures: 'all' as const };
    expect(arrays(grow(0, 4, weighted).tree)).toEqual(arrays(grow(Infinity, 4, weighted).tree));
  });

  it('leaves hold the weighted churn share of the rows that reach them', async () => {
    // Without bootstrap every row weighs 1: the rows a leaf's prediction is given to are its rows.
    const data = mixedRows(3000, 30, 12);
    const leafy = { ...settings, minSamplesLeaf: 25, trees: 1, bootstrap: false, seed: 5 };
    const { forest } = await trainForest(data, leafy);
    const scores = forest.predictProba(data.features);
    const byValue = new Map<number, { rows: number; churned: number }>();
    scores.forEach((score, row) => {
      const leaf = byValue.get(score) ?? { rows: 0, churned: 0 };
      leaf.rows++;
      leaf.churned += data.labels[row];
      byValue.set(score, leaf);
    });
    expect(byValue.size).toBeGreaterThan(20);
    for (const [value, leaf] of byValue) {
      expect(leaf.churned / leaf.rows).toBeCloseTo(value, 12);
      expect(leaf.rows).toBeGreaterThanOrEqual(leafy.minSamplesLeaf);
    }
  });

  it('scores each out-of-bag row, on its bins, as the tree scores its raw values', async () => {
    for (const seed of [1, 2]) {
      const data = mixedRows(3000, 30, 13);
      const { forest, oobScores } = await trainForest(data, { ...settings, trees: 1, seed });
      const scores = forest.predictProba(data.features);
      let outOfBag = 0;
      oobScores.forEach((oob, row) => {
        if (Number.isNaN(oob)) return;
        outOfBag++;
        // Votes are summed in fixed point: the same rounding, exactly.
        expect(oob).toBe(Math.round(scores[row] * OOB_SCALE) / OOB_SCALE);
      });
      expect(outOfBag).toBeGreaterThan(0.3 * data.labels.length);
    }
  });
});
