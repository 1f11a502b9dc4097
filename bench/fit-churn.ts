/** One benchmark contestant in its own process, so its peak memory is its own. */
import { elapsedSeconds } from '../src/common/elapsed.js';
import { rocAuc } from '../src/evaluation/index.js';
import { trainForest, type TrainingSet } from '../src/forest/index.js';
import { csvColumns, syntheticColumns } from './datasets.js';
import type { FitRequest, FitResult } from './protocol.js';

const request = JSON.parse(process.argv[2]) as FitRequest;
const train: TrainingSet = request.synthetic
  ? syntheticColumns(request.synthetic.rows, request.synthetic.seed)
  : csvColumns(request.trainCsv);
const tests = Object.fromEntries(
  Object.entries(request.testCsvs).map(([name, path]) => [name, csvColumns(path)]),
);

const fits: number[] = [];
const aucSums: Record<string, number> = {};
for (let run = 0; run < request.runs; run++) {
  const started = performance.now();
  const { forest } = await trainForest(train, {
    trees: request.trees,
    minSamplesLeaf: request.minSamplesLeaf,
    maxFeatures: 'sqrt',
    seed: run + 1,
  });
  fits.push(elapsedSeconds(started));
  for (const [name, test] of Object.entries(tests)) {
    aucSums[name] = (aucSums[name] ?? 0) + rocAuc(test.labels, forest.predictProba(test.features));
  }
}
const auc = Object.fromEntries(
  Object.entries(aucSums).map(([name, sum]) => [name, sum / request.runs]),
);
const result: FitResult = {
  fits,
  auc,
  peakMb: process.resourceUsage().maxRSS / 1024,
  trees: request.trees,
};
process.stdout.write(JSON.stringify(result));
