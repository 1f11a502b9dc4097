import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/common/random.js';
import { rowExplainer, type ExplainMethod } from '../../src/forest/explain.js';
import {
  ExplanationUnavailableError,
  Forest,
  trainForest,
  type FeatureColumn,
  type FeatureInfo,
} from '../../src/forest/index.js';
import type { FlatForest } from '../../src/forest/flat-forest.js';
import { flatten, toScoringColumns } from '../../src/forest/predictor.js';
import { deserializeForest } from '../../src/forest/serialize.js';
import { TreeBuilder, type Tree } from '../../src/forest/tree.js';
import { bankColumns } from '../../support/bank-columns.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { threeFeatureRows } from './stage-data.js';
import {
  bruteForceShapley,
  PathTreeShap,
  referencePathAttribution,
} from '../../support/shapley-reference.js';

/** Three numeric features and two categorical ones of five codes. */
const FEATURES: FeatureInfo[] = [
  { name: 'a', kind: 'numeric', categories: 0 },
  { name: 'b', kind: 'numeric', categories: 0 },
  { name: 'c', kind: 'numeric', categories: 0 },
  { name: 'd', kind: 'categorical', categories: 5 },
  { name: 'e', kind: 'categorical', categories: 5 },
];
/** The same with `e` too wide for one 32-bit mask of codes, which takes the general walk. */
const WIDE_FEATURES: FeatureInfo[] = FEATURES.map((feature) =>
  feature.name === 'e' ? { ...feature, categories: 40 } : feature,
);

/**
 * A random tree over FEATURES: thresholds on small integers so rows land on both sides, random
 * category sets and missing sides, covers that split at random, and features free to repeat
 * along a path (the case TreeSHAP must merge).
 */
function randomTree(random: Random, maxDepth: number, features = FEATURES): Tree {
  const builder = new TreeBuilder();
  const rootCover = 40 + random.int(200);
  const pending = [{ node: builder.addLeaf(random.next(), rootCover), cover: rootCover, depth: 0 }];
  while (pending.length > 0) {
    const { node, cover, depth } = pending.pop()!;
    if (depth >= maxDepth || cover < 2 || (depth > 1 && random.bernoulli(0.25))) continue;
    const leftCover = 1 + random.int(cover - 1);
    const children: [{ value: number; cover: number }, { value: number; cover: number }] = [
      { value: random.next(), cover: leftCover },
      { value: random.next(), cover: cover - leftCover },
    ];
    const feature = random.int(features.length);
    const missingLeft = random.bernoulli(0.5);
    const left =
      features[feature].kind === 'numeric'
        ? builder.splitNumeric(node, feature, random.int(6) + 0.5, missingLeft, children)
        : builder.splitCategorical(
            node,
            feature,
            Array.from({ length: features[feature].categories }, () => random.bernoulli(0.5)),
            missingLeft,
            children,
          );
    pending.push({ node: left, cover: children[0].cover, depth: depth + 1 });
    pending.push({ node: left + 1, cover: children[1].cover, depth: depth + 1 });
  }
  return builder.finish();
}

/** Rows as scoring sees them: values 0..6 or missing; codes known, missing, or never seen. */
function randomRows(
  random: Random,
  rows: number,
  flat: FlatForest,
  features = FEATURES,
): Float64Array[] {
  const columns: FeatureColumn[] = features.map((feature) =>
    feature.kind === 'numeric'
      ? {
          name: feature.name,
          kind: 'numeric',
          values: Float64Array.from({ length: rows }, () =>
            random.bernoulli(0.15) ? NaN : random.int(7),
          ),
        }
      : {
          name: feature.name,
          kind: 'categorical',
          codes: Int32Array.from({ length: rows }, () =>
            random.bernoulli(0.1)
              ? -1
              : random.bernoulli(0.05)
                ? feature.categories + 2
                : random.int(feature.categories),
          ),
          categories: feature.categories,
        },
  );
  return toScoringColumns(columns, flat);
}

function explainAll(flat: FlatForest, method: ExplainMethod, columns: Float64Array[]) {
  const rows = columns[0].length;
  const scores = new Float64Array(rows);
  const contributions = new Float64Array(rows * columns.length);
  rowExplainer(flat, method).explain(columns, 0, rows, scores, contributions);
  return { scores, contributions };
}

const rowOf = (columns: Float64Array[], row: number) => columns.map((column) => column[row]);

const flatOf = (forest: Forest) => deserializeForest(forest.toJSON()).flat;

function expectAdditive(
  scores: Float64Array,
  contributions: Float64Array,
  base: number,
  width: number,
) {
  let worst = 0;
  for (let row = 0; row < scores.length; row++) {
    let sum = base;
    for (let f = 0; f < width; f++) sum += contributions[row * width + f];
    worst = Math.max(worst, Math.abs(sum - scores[row]));
  }
  expect(worst).toBeLessThan(1e-9);
}

describe('exact TreeSHAP', () => {
  it('equals Shapley values enumerated over every subset of features, on random trees', () => {
    const random = new Random(20);
    for (let trial = 0; trial < 40; trial++) {
      const features = trial % 4 === 3 ? WIDE_FEATURES : FEATURES;
      const trees = Array.from({ length: 1 + (trial % 3) }, () => randomTree(random, 7, features));
      const flat = flatten(trees, features);
      expect(flat.lockstep === null).toBe(features === WIDE_FEATURES);
      const columns = randomRows(random, 25, flat, features);
      const { contributions } = explainAll(flat, 'exact', columns);
      for (let row = 0; row < 25; row++) {
        const expected = bruteForceShapley(flat, rowOf(columns, row)).contributions;
        const got = Array.from(contributions.subarray(row * 5, row * 5 + 5));
        got.forEach((value, f) => expect(value).toBeCloseTo(expected[f], 12));
      }
    }
  });

  it('handles a tree that splits on one feature only, and one that is a single leaf', () => {
    const builder = new TreeBuilder();
    builder.addLeaf(0.5, 10);
    const left = builder.splitNumeric(0, 0, 2.5, true, [
      { value: 0.2, cover: 4 },
      { value: 0.8, cover: 6 },
    ]);
    builder.splitNumeric(left + 1, 0, 4.5, false, [
      { value: 0.6, cover: 3 },
      { value: 1, cover: 3 },
    ]);
    const single = new TreeBuilder();
    single.addLeaf(0.3, 10);
    const flat = flatten([builder.finish(), single.finish()], FEATURES);
    const columns = FEATURES.map((_, f) => Float64Array.of(f === 0 ? 5 : 0, f === 0 ? NaN : 1));
    const { scores, contributions } = explainAll(flat, 'exact', columns);
    // Row 0 takes 5 > 2.5 then 5 > 4.5: leaf 1. Expected value of the tree: 0.4·0.2 + 0.3·0.6 +
    // 0.3·1 = 0.56; only feature a moves it, by (1 − 0.56) / 2 trees.
    expect(scores[0]).toBeCloseTo((1 + 0.3) / 2, 15);
    expect(contributions[0]).toBeCloseTo((1 - 0.56) / 2, 15);
    expect(Array.from(contributions.subarray(1, 5))).toEqual([0, 0, 0, 0]);
    // Row 1 is missing a, which goes left at the root: leaf 0.2.
    expect(contributions[5]).toBeCloseTo((0.2 - 0.56) / 2, 15);
  });

  it('equals the enumeration on a forest grown from data with missing values and categories', async () => {
    const { forest } = await trainForest(threeFeatureRows(2000, 12, 1), {
      trees: 6,
      seed: 2,
      threads: 1,
    });
    const flat = flatOf(forest);
    const scoring = threeFeatureRows(60, 12, 3);
    const columns = toScoringColumns(scoring.features, flat);
    const explanation = forest.explainRows(scoring.features, 'exact');
    for (let row = 0; row < 60; row++) {
      const { contributions, base } = bruteForceShapley(flat, rowOf(columns, row));
      expect(explanation.baseValue).toBeCloseTo(base, 12);
      contributions.forEach((value, f) =>
        expect(explanation.contributions[row * 3 + f]).toBeCloseTo(value, 12),
      );
    }
  });

  it('equals the enumeration over all nine features of the shipped bank data', async () => {
    const vocabulary = new Map<string, string[]>();
    const train = bankColumns(join(REPO_ROOT, 'data', 'train.csv'), vocabulary);
    const { forest } = await trainForest(train, {
      trees: 3,
      seed: 5,
      threads: 1,
      minSamplesLeaf: 5,
    });
    const flat = flatOf(forest);
    const columns = toScoringColumns(train.features, flat);
    const explanation = forest.explainRows(train.features, 'exact');
    for (const row of [0, 1, 2, 3]) {
      const { contributions } = bruteForceShapley(flat, rowOf(columns, row));
      contributions.forEach((value, f) =>
        expect(explanation.contributions[row * 9 + f]).toBeCloseTo(value, 12),
      );
    }
  });
});

describe('path attribution (the fast method)', () => {
  it('credits each split on the path with its change of expected value', () => {
    const random = new Random(21);
    for (let trial = 0; trial < 20; trial++) {
      const features = trial % 4 === 3 ? WIDE_FEATURES : FEATURES;
      const trees = Array.from({ length: 1 + (trial % 4) }, () => randomTree(random, 8, features));
      const flat = flatten(trees, features);
      const columns = randomRows(random, 30, flat, features);
      const { contributions } = explainAll(flat, 'fast', columns);
      for (let row = 0; row < 30; row++) {
        const expected = referencePathAttribution(flat, rowOf(columns, row));
        expected.forEach((value, f) => expect(contributions[row * 5 + f]).toBeCloseTo(value, 12));
      }
    }
  });

  it('agrees with TreeSHAP where they must: a tree of one split', () => {
    const builder = new TreeBuilder();
    builder.addLeaf(0.5, 10);
    builder.splitCategorical(0, 3, [true, false, true, false, false], false, [
      { value: 0.1, cover: 7 },
      { value: 0.9, cover: 3 },
    ]);
    const flat = flatten([builder.finish()], FEATURES);
    const columns = FEATURES.map((_, f) =>
      Float64Array.of(0, 1, NaN, 2).map((x) => (f === 3 ? x : 0)),
    );
    const fast = explainAll(flat, 'fast', columns).contributions;
    const exact = explainAll(flat, 'exact', columns).contributions;
    fast.forEach((value, i) => expect(value).toBeCloseTo(exact[i], 15));
    expect(fast[5 * 2 + 3]).toBeCloseTo(0.9 - (0.7 * 0.1 + 0.3 * 0.9), 15); // missing goes right
  });
});

describe('on a forest grown on real data', () => {
  const vocabulary = new Map<string, string[]>();
  const train = bankColumns(join(REPO_ROOT, 'data', 'train.csv'), vocabulary);
  const score = bankColumns(join(REPO_ROOT, 'data', 'new_batch_1.csv'), vocabulary);
  const course = trainForest(train, { trees: 100, seed: 42, minSamplesLeaf: 5, threads: 1 });
  const smaller = trainForest(train, { trees: 30, seed: 43, minSamplesLeaf: 5, threads: 1 });

  for (const method of ['exact', 'fast'] as const) {
    it(`${method}: contributions and base value add up to the scoring probability`, async () => {
      const { forest } = await course;
      const rows = score.features.map((f) => sliceColumn(f, 0, method === 'exact' ? 400 : 2000));
      const explanation = forest.explainRows(rows, method);
      expect(Array.from(explanation.scores)).toEqual(Array.from(forest.predictProba(rows)));
      expectAdditive(explanation.scores, explanation.contributions, explanation.baseValue, 9);
      expect(explanation.contributions.some((x) => Math.abs(x) > 0.05)).toBe(true);
    });
  }

  it("exact: equals the TreeSHAP papers' algorithm on 100 fully grown trees", async () => {
    const { forest } = await course;
    const flat = flatOf(forest);
    const rows = score.features.map((f) => sliceColumn(f, 0, 40));
    const columns = toScoringColumns(rows, flat);
    const explanation = forest.explainRows(rows, 'exact');
    const original = new PathTreeShap(flat);
    for (let row = 0; row < 40; row++) {
      original
        .explain(rowOf(columns, row))
        .forEach((value, f) =>
          expect(explanation.contributions[row * 9 + f]).toBeCloseTo(value, 12),
        );
    }
  });

  for (const method of ['exact', 'fast'] as const) {
    it(`${method}: gives the same bits on workers and the calling thread as on one thread`, async () => {
      const { forest } = await smaller;
      // Enough rows that the batch is spread over the workers in several blocks.
      const rows = method === 'exact' ? 1500 : 150_000;
      const many = score.features.map((feature) => repeatColumn(feature, rows));
      const one = forest.explainRows(many, method);
      const parallel = await forest.explain(many, method, 2);
      const same = (a: Float64Array, b: Float64Array) =>
        Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
          Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        );
      expect(same(parallel.contributions, one.contributions)).toBe(true);
      expect(same(parallel.scores, one.scores)).toBe(true);
      const stream = forest.explainingStream(1, method);
      try {
        const cut = rows / 2 + 1;
        const first = stream.submit(many.map((f) => sliceColumn(f, 0, cut)));
        const second = stream.submit(many.map((f) => sliceColumn(f, cut, rows)));
        await stream.helpUntil(Promise.all([first, second]));
        const joined = new Float64Array(rows * 9);
        joined.set((await first).contributions);
        joined.set((await second).contributions, cut * 9);
        expect(same(joined, one.contributions)).toBe(true);
      } finally {
        await stream.close();
      }
    });
  }
});

function repeatColumn(feature: FeatureColumn, rows: number): FeatureColumn {
  const repeat = <T extends Float64Array | Int32Array>(values: T, out: T): T => {
    for (let i = 0; i < out.length; i++) out[i] = values[i % values.length];
    return out;
  };
  return feature.kind === 'numeric'
    ? { ...feature, values: repeat(feature.values, new Float64Array(rows)) }
    : { ...feature, codes: repeat(feature.codes, new Int32Array(rows)) };
}

function sliceColumn(feature: FeatureColumn, start: number, end: number): FeatureColumn {
  return feature.kind === 'numeric'
    ? { ...feature, values: feature.values.slice(start, end) }
    : { ...feature, codes: feature.codes.slice(start, end) };
}

describe('forests saved before covers were recorded', () => {
  it('score, and refuse to explain with a message that says what to do', async () => {
    const data = threeFeatureRows(500, 12, 4);
    const { forest } = await trainForest(data, { trees: 3, seed: 1, threads: 1 });
    const json = forest.toJSON();
    const { cover: _cover, ...older } = json.nodes;
    const loaded = Forest.fromJSON({ ...json, version: 1, nodes: older });
    expect(forest.explainable).toBe(true);
    expect(loaded.explainable).toBe(false);
    expect(() => loaded.explainRows(data.features, 'fast')).toThrow(ExplanationUnavailableError);
    expect(() => loaded.explainRows(data.features, 'exact')).toThrow(/retrain it to explain/);
    expect(() => loaded.explainingStream(1, 'fast')).toThrow(ExplanationUnavailableError);
  });
});
