/**
 * A/B timing of two builds of the forest in one process, alternating fits, for tuning the
 * engine on a machine whose speed drifts: single timings there are noise, minima of alternated
 * runs are not. Keep a copy of a build, change the code, rebuild, compare:
 *
 *   npx tsc -p tsconfig.bench.json && cp -r .bench/build /tmp/baseline
 *   # … edit src/forest …
 *   npx tsc -p tsconfig.bench.json && node .bench/build/bench/compare-builds.js /tmp/baseline [course|100k]
 *
 * Each round fits both builds back to back, in alternating order, on the same seed; the median of
 * the rounds' time ratios holds still where single timings drift by 2x within minutes. A ratio
 * whose quartiles straddle 1.00 is no change.
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
const trees = dataset === 'course' ? 25 : 2;
const ROUNDS = 24;
const times: Record<'baseline' | 'current', number[]> = { baseline: [], current: [] };

for (let round = 0; round < ROUNDS; round++) {
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

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.round(q * (values.length - 1))];
const summary = (values: number[]) =>
  `min ${quantile(values, 0).toFixed(0)} ms, median ${quantile(values, 0.5).toFixed(0)} ms`;
const ratios = times.current.map((time, round) => time / times.baseline[round]);
console.log(`${dataset}, ${trees} trees, one thread, ${ROUNDS} rounds`);
console.log(`  baseline: ${summary(times.baseline)}`);
console.log(`  current:  ${summary(times.current)}`);
console.log(
  `  current / baseline: median ${quantile(ratios, 0.5).toFixed(3)} ` +
    `(quartiles ${quantile(ratios, 0.25).toFixed(3)} to ${quantile(ratios, 0.75).toFixed(3)})`,
);
