/**
 * Exact TreeSHAP's speed on the course model, in a process of its own: 100 fully grown trees
 * (minSamplesLeaf 5, balanced classes, as `churn train` grows them) on the course's training file,
 * explaining its two later batches. Prints one JSON document of rows per second (median of three
 * rounds) for: the quadrature kernel on every core and on one thread, the TreeSHAP papers'
 * algorithm on one thread (a port, support/shapley-reference.ts), the fast method, scoring.
 */
import { elapsedSeconds } from '../src/common/elapsed.js';
import { availableParallelism } from 'node:os';
import { trainForest, type FeatureColumn } from '../src/forest/index.js';
import { toScoringColumns } from '../src/forest/predictor.js';
import { deserializeForest } from '../src/forest/serialize.js';
import { PathTreeShap } from '../support/shapley-reference.js';
import { csvColumns } from './datasets.js';

const [trainCsv, ...scoreCsvs] = process.argv.slice(2);
const train = csvColumns(trainCsv);
const scored = scoreCsvs.map((path) => csvColumns(path).features);
const columns: FeatureColumn[] = scored[0].map((feature, f) =>
  feature.kind === 'numeric'
    ? {
        ...feature,
        values: Float64Array.from(
          scored.flatMap((set) => Array.from((set[f] as typeof feature).values)),
        ),
      }
    : {
        ...feature,
        codes: Int32Array.from(
          scored.flatMap((set) => Array.from((set[f] as typeof feature).codes)),
        ),
      },
);
const rows = columns[0].kind === 'numeric' ? columns[0].values.length : columns[0].codes.length;
const slice = (count: number): FeatureColumn[] =>
  columns.map((feature) =>
    feature.kind === 'numeric'
      ? { ...feature, values: feature.values.slice(0, count) }
      : { ...feature, codes: feature.codes.slice(0, count) },
  );

const { forest } = await trainForest(train, {
  trees: 100,
  minSamplesLeaf: 5,
  maxFeatures: 'sqrt',
  classWeight: 'balanced',
  seed: 42,
});
const flat = deserializeForest(forest.toJSON()).flat;

let deepest = 0;
const depth = new Int32Array(flat.feature.length);
for (let node = 0; node < flat.feature.length; node++) {
  deepest = Math.max(deepest, depth[node]);
  if (flat.feature[node] >= 0)
    depth[flat.left[node]] = depth[flat.left[node] + 1] = depth[node] + 1;
}

async function rate(count: number, work: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    await work();
    times.push(elapsedSeconds(started));
  }
  times.sort((a, b) => a - b);
  return count / times[1];
}

const threads = availableParallelism();
const few = Math.min(rows, 1000);
const original = new PathTreeShap(flat);
const originalRows = 100;
const originalColumns = toScoringColumns(slice(originalRows), flat);
const result = {
  nodesPerTree: flat.feature.length / flat.trees,
  deepest,
  rows,
  threads,
  exact: await rate(rows, () => forest.explain(columns, 'exact', threads)),
  exactOneThread: await rate(few, () => forest.explainRows(slice(few), 'exact')),
  original: await rate(originalRows, () => {
    for (let row = 0; row < originalRows; row++) {
      original.explain(originalColumns.map((column) => column[row]));
    }
  }),
  fast: await rate(rows, () => forest.explain(columns, 'fast', threads)),
  scoring: await rate(rows, () => forest.score(columns, threads)),
};
process.stdout.write(JSON.stringify(result));
process.exit(0);
