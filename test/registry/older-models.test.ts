import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { evaluateModel } from '../../src/evaluation/index.js';
import { trainForest, type FeatureColumn } from '../../src/forest/index.js';
import { churnProbabilities } from '../../src/jobs/scoring/probability.js';
import { riskCutoffs } from '../../src/jobs/scoring/risk.js';
import { ModelRegistry, type ModelMetadata } from '../../src/registry/registry.js';
import { newVersionId } from '../../src/registry/version-id.js';
import { tempDir } from '../helpers/cli.js';

describe('models saved before calibration and regularized categories', () => {
  it('load with the settings they were grown with and show their raw probabilities', async () => {
    const dir = tempDir();
    try {
      const values = Float64Array.from({ length: 60 }, (_, i) => i);
      const labels = Uint8Array.from({ length: 60 }, (_, i) => (i % 3 === 0 || i > 40 ? 1 : 0));
      const columns: FeatureColumn[] = [{ name: 'x', kind: 'numeric', values }];
      const { forest } = await trainForest({ features: columns, labels }, { trees: 5, threads: 1 });
      // What an older churn wrote: no calibration map in the model file, and forest settings
      // without the categorical regularization in the metadata.
      const { minCategoryRows, categorySmoothing, maxCategorySplit, ...olderParams } =
        forest.params;
      expect([minCategoryRows, categorySmoothing, maxCategorySplit]).toEqual([10, 0, 256]);
      const createdAt = new Date(Date.UTC(2026, 10, 20));
      const version = newVersionId(createdAt);
      const evaluation = evaluateModel(labels, forest.predictProba(columns), 0.5);
      const registry = new ModelRegistry(join(dir.path, 'models'));
      await registry.save(
        {
          version,
          createdAt: createdAt.toISOString(),
          churnVersion: '0.0.9',
          schema: {
            features: [
              { name: 'x', kind: 'numeric', reference: { missing: 0, edges: [], shares: [1] } },
            ],
            target: 'y',
            id: null,
            labels: { positive: '1', negative: '0' },
            ignored: [],
          },
          threshold: 0.5,
          beta: 2,
          forest,
        },
        {
          version,
          createdAt: createdAt.toISOString(),
          churnVersion: '0.0.9',
          data: {
            file: 'x.csv',
            sha256: '0',
            rowsRead: 60,
            missingTarget: 0,
            trainRows: 60,
            holdoutRows: 0,
            churnRate: 0.5,
          },
          params: olderParams as ModelMetadata['params'],
          threshold: 0.5,
          beta: 2,
          ...evaluation,
          outOfBagFBeta: 0,
          featureImportances: { x: 1 },
          durations: { readSeconds: 0, trainingSeconds: 0, evaluationSeconds: 0 },
        },
      );
      const metadata = await registry.metadata(version);
      expect(metadata.params).toMatchObject({
        minCategoryRows: 1,
        categorySmoothing: 0,
        maxCategorySplit: 256,
      });
      expect(metadata.calibration).toBeUndefined();
      const loaded = await registry.find(version, dir.path);
      expect(loaded.model.calibration).toBeUndefined();
      expect(Array.from(churnProbabilities(loaded, columns))).toEqual(
        Array.from(forest.predictProba(columns)),
      );
      // Risk levels start at its threshold too.
      expect(riskCutoffs({ medium: null, high: 0.5 }, loaded.model.threshold)).toEqual({
        medium: 0.5,
        high: 0.5,
      });
    } finally {
      dir.remove();
    }
  });
});

describe('risk cutoffs', () => {
  it('start medium risk at the threshold by default, and never put high below medium', () => {
    expect(riskCutoffs({ medium: null, high: 0.5 }, 0.18)).toEqual({ medium: 0.18, high: 0.5 });
    expect(riskCutoffs({ medium: null, high: 0.5 }, 0.62)).toEqual({ medium: 0.62, high: 0.62 });
    expect(riskCutoffs({ medium: 0.3, high: 0.7 }, 0.18)).toEqual({ medium: 0.3, high: 0.7 });
  });
});
