/**
 * ml-random-forest, the JavaScript baseline, in its own process. It grows slowly, so it gets few
 * trees; bench/run.ts scales its time to 100 trees. Its maxFeatures picks features per tree, not
 * per node: the closest it has to scikit-learn's setting. Its out-of-bag step throws "input must
 * not be empty" after growing every tree, whatever the tree count, so it is turned off.
 */
import { elapsedSeconds } from '../src/common/elapsed.js';
import { RandomForestClassifier } from 'ml-random-forest';
import { rocAuc } from '../src/evaluation/index.js';
import type { TrainingSet } from '../src/forest/index.js';
import { csvColumns } from './datasets.js';
import type { FitRequest, FitResult } from './protocol.js';

const request = JSON.parse(process.argv[2]) as FitRequest;

function matrix(set: TrainingSet): number[][] {
  const rows = set.labels.length;
  return Array.from({ length: rows }, (_, i) =>
    set.features.map((f) => (f.kind === 'numeric' ? f.values[i] : f.codes[i])),
  );
}

const train = csvColumns(request.trainCsv);
const fits: number[] = [];
let auc: Record<string, number> = {};
let note: string | undefined;
for (let run = 0; run < request.runs; run++) {
  const forest = new RandomForestClassifier({
    nEstimators: request.trees,
    maxFeatures: 3,
    seed: run + 1,
    noOOB: true,
    treeOptions: { minNumSamples: request.minSamplesLeaf },
  });
  const started = performance.now();
  try {
    forest.train(matrix(train), Array.from(train.labels));
  } catch (error) {
    note = `crashed with ${request.trees} trees: ${(error as Error).message}`;
    break;
  }
  fits.push(elapsedSeconds(started));
  if (run === 0) {
    auc = Object.fromEntries(
      Object.entries(request.testCsvs).map(([name, path]) => {
        const test = csvColumns(path);
        const scores = forest.predictProbability(matrix(test), 1) as number[];
        return [name, rocAuc(test.labels, scores)];
      }),
    );
  }
}
const result: FitResult = {
  fits,
  auc,
  peakMb: process.resourceUsage().maxRSS / 1024,
  trees: request.trees,
  note,
};
process.stdout.write(JSON.stringify(result));
