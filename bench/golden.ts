/**
 * `npm run bench -- golden`: sha256 of the forests (their toJSON()) and out-of-bag scores grown
 * on the real data sets with fixed settings, to prove a refactoring of the engine changes no
 * byte: run before and after, compare the lines.
 */
import { createHash } from 'node:crypto';
import { trainForest } from '../src/forest/index.js';
import { qualitySets } from './quality-sets.js';
import { loadSet } from './variants.js';

const SETTINGS = [
  { trees: 20, seed: 3, minSamplesLeaf: 5, classWeight: 'balanced' as const },
  { trees: 10, seed: 4, minSamplesLeaf: 1, maxFeatures: 'all' as const, threads: 1 },
];

export async function benchGolden(): Promise<void> {
  for (const set of qualitySets()) {
    const { train } = await loadSet(set);
    for (const settings of SETTINGS) {
      const { forest, oobScores } = await trainForest(
        { features: train.features, labels: train.labels },
        settings,
      );
      const hash = createHash('sha256')
        .update(JSON.stringify(forest.toJSON().nodes))
        .update(JSON.stringify(forest.toJSON().featureImportances))
        .update(Buffer.from(oobScores.buffer))
        .digest('hex');
      console.log(`${set.name} ${JSON.stringify(settings)}: ${hash}`);
    }
  }
}
