import { describe, expect, it } from 'vitest';
import { trainForest } from '../../src/forest/index.js';
import { outOfBagAuc, tuneForest, TUNING_GRID } from '../../src/jobs/tuning.js';
import { mixedRows } from '../forest/stage-data.js';
import { silentLogger } from '../../support/silent-logger.js';

describe('out-of-bag tuning', () => {
  it('grows one forest per grid setting and keeps the one with the best out-of-bag AUC', async () => {
    const data = mixedRows(1500, 12, 21);
    const base = { trees: 15, seed: 4, threads: 1 };
    const { trained, tuning } = await tuneForest(data, base, silentLogger);
    expect(
      tuning.trials.map(({ minSamplesLeaf, maxFeatures }) => ({ minSamplesLeaf, maxFeatures })),
    ).toEqual(TUNING_GRID);
    const best = Math.max(...tuning.trials.map((trial) => trial.outOfBagAuc));
    expect(tuning.trials[tuning.chosen].outOfBagAuc).toBe(best);
    // The forest kept is the chosen trial's, grown with its settings, bit for bit.
    const chosen = TUNING_GRID[tuning.chosen];
    expect(trained.forest.params).toMatchObject(chosen);
    const again = await trainForest(data, { ...base, ...chosen });
    expect(JSON.stringify(again.forest)).toBe(JSON.stringify(trained.forest));
    expect(tuning.trials[tuning.chosen].outOfBagAuc).toBeCloseTo(
      outOfBagAuc(data.labels, again.oobScores),
      6,
    );
  });
});
