import { describe, expect, it } from 'vitest';
import { binFeatures } from '../../src/forest/binning.js';
import { histogramLayout } from '../../src/forest/histogram.js';
import { trainForest, type TrainingSet } from '../../src/forest/index.js';
import type { WorkerRequest } from '../../src/forest/forest-worker.js';
import { shareArray, shareWork } from '../../src/forest/pool.js';

const data: TrainingSet = {
  features: [
    { name: 'x', kind: 'numeric', values: Float64Array.from({ length: 400 }, (_, i) => i % 97) },
  ],
  labels: Uint8Array.from({ length: 400 }, (_, i) => (i % 97 > 60 ? 1 : 0)),
};

/** The grow-setup message of a small forest, for driving workers directly. */
function growSetup(): WorkerRequest {
  const binned = binFeatures(data.features, { maxBins: 255, minCategoryCount: 10 });
  const problem = {
    rows: 400,
    featureCount: 1,
    bins: shareArray(binned.bins),
    mappers: binned.mappers,
    layout: histogramLayout(binned.mappers.map((mapper) => mapper.bins)),
    labels: shareArray(data.labels),
    baseWeight: shareArray(new Float64Array(400).fill(1)),
  };
  const params = {
    bootstrap: true,
    maxDepth: Infinity,
    minSamplesLeaf: 3,
    minCategoryRows: 1,
    categorySmoothing: 0,
    maxCategorySplit: 256,
    minSamplesSplit: 2,
    featuresPerNode: 1,
  };
  return { type: 'grow-setup', problem, params, oob: false };
}

describe('work shared with worker threads', () => {
  it('fails as a whole when the calling thread fails, and leaves no stale worker behind', async () => {
    const settings = { trees: 30, minSamplesLeaf: 3, seed: 5 };
    const before = JSON.stringify((await trainForest(data, { ...settings, threads: 1 })).forest);

    const failing = shareWork(
      {
        count: 200,
        setup: growSetup,
        runHere(task) {
          if (task > 3) throw new Error('the calling thread failed');
        },
        request: (task) => ({ type: 'grow', task, seed: task }),
        done() {},
      },
      3,
    );
    await expect(failing).rejects.toThrow('the calling thread failed');

    // Had the failed job's workers gone back to the pool, their late trees would land here.
    const after = await trainForest(data, { ...settings, threads: 3 });
    expect(JSON.stringify(after.forest)).toBe(before);
  });

  it('runs every task exactly once across the threads', async () => {
    const ran: number[] = [];
    const byWorkers: number[] = [];
    await shareWork(
      {
        count: 60,
        setup: growSetup,
        runHere: (task) => ran.push(task),
        request: (task) => ({ type: 'grow', task, seed: task }),
        done: (reply) => byWorkers.push(reply.task),
        finish: { type: 'grow-finish' },
      },
      2,
    );
    expect([...ran, ...byWorkers].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 60 }, (_, i) => i),
    );
  });
});
