/**
 * A/B timing of two builds of the forest in one process, alternating fits, for tuning the
 * engine on a machine whose speed drifts: single timings there are noise, minima of alternated
 * runs are not. Keep a copy of a build, change the code, rebuild, compare:
 *
 *   npx tsc -p tsconfig.bench.json && cp -r .bench/build /tmp/baseline
 *   # … edit src/forest …
 *   npx tsc -p tsconfig.bench.json && node .bench/build/bench/compare-builds.js /tmp/baseline [course|100k]
 *
 * Differences under about 10% are within this machine's noise.
 */
import { join, resolve } from 'node:path';
import type { TrainingSet } from '../src/forest/index.js';
import * as current from '../src/forest/index.js';
import { csvColumns, syntheticColumns } from './datasets.js';

type ForestModule = typeof current;

const [baselineDir, dataset = 'course'] = process.argv.slice(2);
if (!baselineDir) {
  console.error(
    'usage: node .bench/build/bench/compare-builds.js BASELINE_BUILD_DIR [course|100k]',
  );
  process.exit(2);
}
const baseline = (await import(
  join(resolve(baselineDir), 'src', 'forest', 'index.js')
)) as ForestModule;
const data: TrainingSet =
  dataset === 'course'
    ? csvColumns(join('..', 'shared', 'data', 'bank-churn', 'dados_treino.csv'))
    : syntheticColumns(100_000, 1);
const trees = dataset === 'course' ? 100 : 8;
const times: Record<'baseline' | 'current', number[]> = { baseline: [], current: [] };

for (let round = 0; round < 8; round++) {
  const order: Array<['baseline' | 'current', ForestModule]> = [
    ['baseline', baseline],
    ['current', current],
  ];
  if (round % 2) order.reverse();
  for (const [name, forest] of order) {
    const started = performance.now();
    await forest.trainForest(data, { trees, minSamplesLeaf: 5, seed: round + 1, threads: 1 });
    times[name].push(performance.now() - started);
  }
}

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `min ${sorted[0].toFixed(0)} ms, median ${sorted[sorted.length >> 1].toFixed(0)} ms`;
};
console.log(`${dataset}, ${trees} trees, one thread, 8 alternated fits each`);
console.log(`  baseline: ${summary(times.baseline)}`);
console.log(`  current:  ${summary(times.current)}`);
