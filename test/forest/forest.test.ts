import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../src/evaluation/index.js';
import { decodeArray, encodeArray, encodeArrayInSlices } from '../../src/forest/encoding.js';
import {
  Forest,
  featuresPerNode,
  trainForest,
  type FeatureColumn,
  type TrainingSet,
} from '../../src/forest/index.js';
import { generateCustomers } from '../../src/jobs/generate.js';
import { bankColumns } from '../../support/bank-columns.js';
import { tempDir } from '../helpers/cli.js';
import { requires } from '../helpers/prerequisites.js';
import { COURSE_DATA, SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { silentLogger } from '../../support/silent-logger.js';

const numeric = (name: string, values: number[]): FeatureColumn => ({
  name,
  kind: 'numeric',
  values: Float64Array.from(values),
});
const categorical = (name: string, codes: number[], categories: number): FeatureColumn => ({
  name,
  kind: 'categorical',
  codes: Int32Array.from(codes),
  categories,
});
const exact = {
  trees: 1,
  bootstrap: false,
  maxFeatures: 'all' as const,
  threads: 1,
  minCategoryCount: 1,
  minCategoryRows: 1,
};

/** The first tree's node arrays, decoded from the serialized forest. */
function firstTree(forest: Forest) {
  const nodes = forest.toJSON().nodes;
  return {
    feature: Array.from(decodeArray(nodes.feature, Int32Array, 'feature')),
    left: Array.from(decodeArray(nodes.left, Int32Array, 'left')),
    value: Array.from(decodeArray(nodes.value, Float64Array, 'value')),
    missingLeft: Array.from(decodeArray(nodes.missingLeft, Uint8Array, 'missingLeft')),
  };
}

describe('tiny hand-checkable trees', () => {
  it('splits one numeric feature midway between the classes', async () => {
    const data: TrainingSet = {
      features: [numeric('x', [1, 2, 3, 4, 5, 6])],
      labels: Uint8Array.from([0, 0, 0, 1, 1, 1]),
    };
    const { forest } = await trainForest(data, exact);
    // The root splits at 3.5; its children (nodes 1 and 2) are pure leaves.
    expect(firstTree(forest)).toMatchObject({
      feature: [0, -1, -1],
      left: [1, -1, -1],
      value: [3.5, 0, 1],
    });
    const scores = forest.predictProba([numeric('x', [-10, 3.5, 3.6, 100])]);
    expect(Array.from(scores)).toEqual([0, 0, 1, 1]);
  });

  it('learns where missing values go, and sends unseen missing values with the majority', async () => {
    const data: TrainingSet = {
      features: [numeric('x', [1, 2, 3, NaN, NaN, NaN]), numeric('z', [1, 2, 3, 4, 5, 6])],
      labels: Uint8Array.from([0, 0, 0, 1, 1, 1]),
    };
    const { forest } = await trainForest(data, { ...exact, maxFeatures: 1, seed: 3 });
    const tree = firstTree(forest);
    const predicted = forest.predictProba([
      numeric('x', [2, NaN, 2, NaN]),
      numeric('z', [1, 6, NaN, NaN]),
    ]);
    if (tree.feature[0] === 0) {
      // Split on x: missing carries the churners.
      expect(Array.from(predicted)).toEqual([0, 1, 0, 1]);
    } else {
      // Split on z, which had no missing values: they follow the larger child.
      expect(tree.feature[0]).toBe(1);
      expect(predicted[1]).toBe(1);
    }
    const onlyX = await trainForest({ features: [data.features[0]], labels: data.labels }, exact);
    expect(Array.from(onlyX.forest.predictProba([numeric('x', [1, NaN, 3])]))).toEqual([0, 1, 0]);
  });

  it('groups categories by their churn rate, whatever their codes', async () => {
    // Codes 0 and 2 churn, 1 and 3 stay: no single cut of the code order separates them.
    const codes = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3];
    const labels = Uint8Array.from([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    const { forest } = await trainForest({ features: [categorical('c', codes, 5)], labels }, exact);
    expect(firstTree(forest).feature).toEqual([0, -1, -1]);
    const scores = forest.predictProba([categorical('c', [0, 1, 2, 3, -1, 4, 99], 100)]);
    expect(Array.from(scores.subarray(0, 4))).toEqual([1, 0, 1, 0]);
    // Missing, never-seen (4) and out-of-range (99) codes all take the missing side.
    expect(scores[4]).toBe(scores[5]);
    expect(scores[5]).toBe(scores[6]);
  });

  it('pools rare categories into one bin', async () => {
    const codes = [0, 0, 0, 0, 1, 1, 1, 1, 2, 3];
    const labels = Uint8Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    const settings = { ...exact, minCategoryCount: 3 };
    const { forest } = await trainForest(
      { features: [categorical('c', codes, 4)], labels },
      settings,
    );
    const scores = forest.predictProba([categorical('c', [2, 3], 4)]);
    expect(scores[0]).toBe(scores[1]);
  });

  it('weighs classes as balanced: a leaf holds the weighted share of churners', async () => {
    const features = [numeric('constant', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1])];
    const labels = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const none = await trainForest({ features, labels }, { ...exact, classWeight: 'none' });
    const balanced = await trainForest({ features, labels }, { ...exact, classWeight: 'balanced' });
    expect(none.forest.predictProba(features)[0]).toBeCloseTo(0.2, 12);
    expect(balanced.forest.predictProba(features)[0]).toBeCloseTo(0.5, 12);
  });

  it('honours sample weights', async () => {
    const features = [numeric('constant', [1, 1, 1, 1])];
    const labels = Uint8Array.from([1, 0, 0, 0]);
    const weights = Float64Array.from([3, 1, 1, 1]);
    const { forest } = await trainForest({ features, labels, weights }, exact);
    expect(forest.predictProba(features)[0]).toBeCloseTo(0.5, 12);
  });

  it('records the training rows that reached each node: distinct rows of the bootstrap', async () => {
    const rows = 200;
    const x = Array.from({ length: rows }, (_, i) => i % 17);
    const data: TrainingSet = {
      features: [numeric('x', x)],
      labels: Uint8Array.from(x, (v) => (v > 8 ? 1 : 0)),
    };
    const { forest } = await trainForest(data, { ...exact, bootstrap: true, trees: 4 });
    const nodes = forest.toJSON().nodes;
    const cover = decodeArray(nodes.cover, Int32Array, 'cover');
    const left = decodeArray(nodes.left, Int32Array, 'left');
    const roots = decodeArray(nodes.roots, Int32Array, 'roots');
    for (const root of roots) {
      // A bootstrap of n draws from n rows holds about 63% of them, each counted once.
      expect(cover[root]).toBeGreaterThan(0.5 * rows);
      expect(cover[root]).toBeLessThan(0.75 * rows);
    }
    left.forEach((child, node) => {
      if (child >= 0) expect(cover[child] + cover[child + 1]).toBe(cover[node]);
    });
    const whole = await trainForest(data, exact);
    expect(decodeArray(whole.forest.toJSON().nodes.cover, Int32Array, 'cover')[0]).toBe(rows);
  });

  it('stops at maxDepth and keeps minSamplesLeaf rows in every leaf', async () => {
    const n = 200;
    const x = Array.from({ length: n }, (_, i) => i);
    const labels = Uint8Array.from(x, (i) => (i % 3 === 0 ? 1 : 0));
    const shallow = await trainForest(
      { features: [numeric('x', x)], labels },
      { ...exact, maxDepth: 2 },
    );
    expect(firstTree(shallow.forest).feature.length).toBeLessThanOrEqual(7);
    const leafy = await trainForest(
      { features: [numeric('x', x)], labels },
      { ...exact, minSamplesLeaf: 10 },
    );
    const scores = leafy.forest.predictProba([numeric('x', x)]);
    const perLeaf = new Map<number, number>();
    for (const score of scores) perLeaf.set(score, (perLeaf.get(score) ?? 0) + 1);
    // Leaves with equal values would merge in this count, which only makes them larger.
    for (const rows of perLeaf.values()) expect(rows).toBeGreaterThanOrEqual(10);
  });
});

describe('features per node', () => {
  it.each([
    ['sqrt', 10, 3],
    ['log2', 10, 3],
    ['all', 10, 10],
    [4, 10, 4],
    [0.5, 10, 5],
    [0.01, 10, 1],
    [50, 10, 10],
  ] as const)('maxFeatures %s of %d features is %d', (setting, count, expected) => {
    expect(featuresPerNode(setting, count)).toBe(expected);
  });
});

describe('on bank customers', () => {
  const dir = tempDir();
  const files = {
    train: join(dir.path, 'train.csv'),
    fresh: join(dir.path, 'fresh.csv'),
  };
  const ready = Promise.all([
    generateCustomers({ rows: 6000, seed: 1, drift: 0, out: files.train }, silentLogger),
    generateCustomers({ rows: 4000, seed: 99, drift: 0, out: files.fresh }, silentLogger),
  ]).then(() => {
    const vocabulary = new Map<string, string[]>();
    return {
      train: bankColumns(files.train, vocabulary),
      fresh: bankColumns(files.fresh, vocabulary),
    };
  });
  const settings = { trees: 40, minSamplesLeaf: 5, seed: 7, classWeight: 'balanced' as const };

  it('finds the churn signal of generated data (AUC above 0.82 on fresh rows)', async () => {
    const { train, fresh } = await ready;
    const { forest, oobScores } = await trainForest(train, { ...settings, threads: 1 });
    expect(rocAuc(fresh.labels, forest.predictProba(fresh.features))).toBeGreaterThan(0.82);
    const seen = Array.from(oobScores.keys()).filter((i) => !Number.isNaN(oobScores[i]));
    expect(seen.length).toBeGreaterThan(0.99 * train.labels.length);
    const oobAuc = rocAuc(
      seen.map((i) => train.labels[i]),
      seen.map((i) => oobScores[i]),
    );
    expect(oobAuc).toBeGreaterThan(0.8);
    const importances = Array.from(forest.featureImportances);
    expect(importances.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    const name = (i: number) => forest.features[i].name;
    const ranked = importances.map((_, i) => i).sort((a, b) => importances[b] - importances[a]);
    expect(['idade', 'numero_produtos']).toContain(name(ranked[0]));
    expect(importances[forest.features.findIndex((f) => f.name === 'cartao_credito')]).toBeLessThan(
      0.05,
    );
  });

  it('grows the same forest, byte for byte, on one, two or three threads', async () => {
    const { train } = await ready;
    const one = await trainForest(train, { ...settings, threads: 1 });
    for (const threads of [2, 3]) {
      const many = await trainForest(train, { ...settings, threads });
      expect(JSON.stringify(many.forest)).toBe(JSON.stringify(one.forest));
      expect(Array.from(many.oobScores)).toEqual(Array.from(one.oobScores));
    }
    const other = await trainForest(train, { ...settings, threads: 2, seed: 8 });
    expect(JSON.stringify(other.forest)).not.toBe(JSON.stringify(one.forest));
  });

  it('reports progress once per tree, in order', async () => {
    const { train } = await ready;
    const seen: number[] = [];
    await trainForest(
      train,
      { ...settings, trees: 12, threads: 2 },
      { onTree: (done) => seen.push(done) },
    );
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('predicts identically after a JSON round trip', async () => {
    const { train, fresh } = await ready;
    const { forest } = await trainForest(train, { ...settings, threads: 2 });
    const restored = Forest.fromJSON(JSON.parse(JSON.stringify(forest)));
    expect(Array.from(restored.predictProba(fresh.features))).toEqual(
      Array.from(forest.predictProba(fresh.features)),
    );
    expect(restored.features).toEqual(forest.features);
    expect(Array.from(restored.featureImportances)).toEqual(Array.from(forest.featureImportances));
  });

  it('scores a large batch on several threads exactly as on one', async () => {
    const { train, fresh } = await ready;
    const { forest } = await trainForest(train, { ...settings, threads: 2 });
    // 30 copies of the fresh rows: 120 000 rows x 40 trees, enough to use the workers.
    const copies = 30;
    const tiled: FeatureColumn[] = fresh.features.map((feature) => {
      if (feature.kind === 'numeric') {
        const values = new Float64Array(feature.values.length * copies);
        for (let c = 0; c < copies; c++) values.set(feature.values, c * feature.values.length);
        return { ...feature, values };
      }
      const codes = new Int32Array(feature.codes.length * copies);
      for (let c = 0; c < copies; c++) codes.set(feature.codes, c * feature.codes.length);
      return { ...feature, codes };
    });
    const parallel = await forest.score(tiled, 2);
    expect(parallel.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(parallel)).toEqual(Array.from(forest.predictProba(tiled)));
    expect(Array.from(await forest.score(fresh.features, 2))).toEqual(
      Array.from(forest.predictProba(fresh.features)),
    );
  });

  requires(COURSE_DATA, "the forest's ROC AUC on the course's real data").it(
    'scores the course data at least as scikit-learn does',
    async () => {
      const vocabulary = new Map<string, string[]>();
      const train = bankColumns(join(SHARED_DATA_DIR, 'dados_treino.csv'), vocabulary);
      const batch1 = bankColumns(join(SHARED_DATA_DIR, 'dados_novos_1.csv'), vocabulary);
      const { forest } = await trainForest(train, { trees: 100, minSamplesLeaf: 5, seed: 1 });
      // scikit-learn's RandomForestClassifier with the same settings scores about 0.850 here.
      expect(rocAuc(batch1.labels, forest.predictProba(batch1.features))).toBeGreaterThan(0.84);
    },
  );
});

describe('refusing bad models and bad input', () => {
  const data: TrainingSet = {
    features: [numeric('x', [1, 2, 3, 4, 5, 6])],
    labels: Uint8Array.from([0, 0, 0, 1, 1, 1]),
  };

  it('refuses a serialized forest whose nodes point outside the tree', async () => {
    const { forest } = await trainForest(data, exact);
    const json = forest.toJSON();
    const left = decodeArray(json.nodes.left, Int32Array, 'left');
    left[0] = 0; // a cycle: the root as its own child
    const tampered = {
      ...json,
      nodes: { ...json.nodes, left: Buffer.from(left.buffer).toString('base64') },
    };
    expect(() => Forest.fromJSON(tampered)).toThrow('not a valid forest: node 0 has a bad child 0');
    expect(() => Forest.fromJSON({ ...json, format: 'pickle' })).toThrow(
      'format is not "churn-forest"',
    );
    expect(() => Forest.fromJSON({ ...json, nodes: { ...json.nodes, value: 'AAA' } })).toThrow(
      'nodes.value',
    );
  });

  it('refuses node covers that are not the sum of their children, and a version 2 forest without them', async () => {
    const { forest } = await trainForest(data, { ...exact, minSamplesLeaf: 1 });
    const json = forest.toJSON();
    const cover = decodeArray(json.nodes.cover, Int32Array, 'cover');
    cover[1] += 1;
    const damaged = { ...json, nodes: { ...json.nodes, cover: encodeArray(cover) } };
    expect(() => Forest.fromJSON(damaged)).toThrow("node 0 has a cover that is not its children's");
    const { cover: _cover, ...withoutCover } = json.nodes;
    expect(() => Forest.fromJSON({ ...json, nodes: withoutCover })).toThrow('nodes.cover');
  });

  it('loads a forest of format version 1, saved before covers, and scores it the same', async () => {
    const { forest } = await trainForest(data, { ...exact, trees: 3, bootstrap: true });
    const json = forest.toJSON();
    expect(json.version).toBe(2);
    const { cover: _cover, ...older } = json.nodes;
    const loaded = Forest.fromJSON({ ...json, version: 1, nodes: older });
    expect(Array.from(loaded.predictProba(data.features))).toEqual(
      Array.from(forest.predictProba(data.features)),
    );
    // Saved again, it stays what it is: a version 1 forest, with no covers to write.
    expect(loaded.toJSON().version).toBe(1);
    expect(loaded.toJSON().nodes.cover).toBeUndefined();
    expect(() => Forest.fromJSON({ ...json, version: 3 })).toThrow(
      'format version 3 is not 1 or 2',
    );
  });

  it('encodes arrays in slices that join into the whole text, at any slice boundary', () => {
    for (const length of [0, 1, 2, 3, 7, 64, 1001]) {
      const array = Float64Array.from({ length }, (_, i) => Math.sin(i) * 1e6);
      const whole = encodeArray(array);
      expect(Buffer.from(whole, 'base64').equals(Buffer.from(array.buffer))).toBe(true);
      for (const sliceBytes of [3, 6, 9, 24, 3000]) {
        const slices = [...encodeArrayInSlices(array, sliceBytes)];
        expect(slices.join('')).toBe(whole);
        expect(slices.length).toBe(Math.ceil(array.byteLength / sliceBytes));
      }
    }
    expect(() => [...encodeArrayInSlices(new Uint8Array(4), 4)]).toThrow('whole 3-byte groups');
  });

  it('refuses node arrays that are not base64, wherever the stray character is', async () => {
    const { forest } = await trainForest(data, exact);
    const json = forest.toJSON();
    const text = json.nodes.value;
    for (const at of [0, text.length >> 1, text.length - 1]) {
      for (const stray of [' ', '!', '\n', '"']) {
        const damaged = text.slice(0, at) + stray + text.slice(at + 1);
        expect(() =>
          Forest.fromJSON({ ...json, nodes: { ...json.nodes, value: damaged } }),
        ).toThrow('nodes.value is not base64 text');
      }
    }
  });

  it('refuses training data it cannot learn from', async () => {
    await expect(
      trainForest({ ...data, labels: Uint8Array.from([1, 1, 1, 1, 1, 1]) }),
    ).rejects.toThrow('both classes');
    await expect(trainForest({ ...data, labels: Uint8Array.from([0, 1]) })).rejects.toThrow(
      'feature x has 6 rows, labels have 2',
    );
    await expect(trainForest({ features: [], labels: data.labels })).rejects.toThrow(
      'at least one feature',
    );
  });

  it('refuses prediction columns that do not match the forest', async () => {
    const { forest } = await trainForest(data, exact);
    expect(() => forest.predictProba([])).toThrow('the forest takes 1 features, got 0');
    expect(() => forest.predictProba([categorical('x', [1], 2)])).toThrow(
      'feature x is numeric, got categorical',
    );
  });
});
