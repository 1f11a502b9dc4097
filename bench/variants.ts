/**
 * `npm run bench -- variants '<json>' …`: engine settings compared on every real data set, the
 * way the quality decisions of docs/model.md were measured. Each variant is a JSON object of
 * forest parameters; each is grown with seeds 1 to 3 on the whole training file, and scored on
 * the test files (AUC, Brier score of the raw forest probability) and out of bag.
 *
 *   npm run bench -- variants '{}' '{"minSamplesLeaf":5,"classWeight":"balanced"}'
 */
import { elapsedSeconds } from '../src/common/elapsed.js';
import { readLabelledTable, type LabelledTable } from '../src/data/labelled-table.js';
import { recodeForSchema } from '../src/data/recode.js';
import { brierScore, rocAuc } from '../src/evaluation/index.js';
import { calibrateAll, fitIsotonic, fitPlatt } from '../src/evaluation/calibration.js';
import { mix32 } from '../src/common/random.js';
import {
  trainForest,
  type FeatureColumn,
  type ForestParams,
  type TrainingSet,
} from '../src/forest/index.js';
import { qualitySets, type QualitySet } from './quality-sets.js';

const SEEDS = [1, 2, 3];

export interface LoadedSet {
  set: QualitySet;
  train: Pick<LabelledTable, 'features' | 'labels' | 'rowKeys'>;
  tests: Record<string, TrainingSet & { rowKeys: Uint32Array }>;
}

export async function loadSet(set: QualitySet): Promise<LoadedSet> {
  const options = { target: set.target, id: set.id, positiveLabel: set.positiveLabel };
  const train = await readLabelledTable(set.train, { ...options, delimiter: set.delimiter });
  const tests: LoadedSet['tests'] = {};
  for (const [name, file] of Object.entries(set.tests)) {
    const table = await readLabelledTable(file, { ...options, delimiter: set.delimiter });
    const features = recodeForSchema(table.features, table.schema, train.schema, file);
    tests[name] = { features, labels: table.labels, rowKeys: table.rowKeys };
  }
  return { set, train, tests };
}

/**
 * The set with one more column of `categories` categories that carry no signal, drawn from each
 * row's id: a stress test of categorical splits (the kept-aside churn sets have a 51-category
 * state column). A forest that overfits its categories loses AUC here.
 */
export function withNoiseColumn(loaded: LoadedSet, categories: number): LoadedSet {
  const column = (keys: Uint32Array): FeatureColumn => ({
    name: `noise_${categories}`,
    kind: 'categorical',
    codes: Int32Array.from(keys, (key) => mix32(key ^ 0x51) % categories),
    categories,
  });
  const tests: LoadedSet['tests'] = {};
  for (const [name, test] of Object.entries(loaded.tests)) {
    tests[name] = { ...test, features: [...test.features, column(test.rowKeys)] };
  }
  return {
    set: { ...loaded.set, name: `${loaded.set.name}+${categories} noise categories` },
    train: { ...loaded.train, features: [...loaded.train.features, column(loaded.train.rowKeys)] },
    tests,
  };
}

function present(labels: Uint8Array, scores: Float64Array) {
  const kept = Array.from(scores.keys()).filter((i) => !Number.isNaN(scores[i]));
  return { labels: kept.map((i) => labels[i]), scores: kept.map((i) => scores[i]) };
}

export async function scoreVariant(loaded: LoadedSet, params: Partial<ForestParams>) {
  const auc: Record<string, number> = {};
  const brier: Record<string, number> = {};
  const calibrated: Record<string, number> = {};
  let oobAuc = 0;
  let seconds = 0;
  for (const seed of SEEDS) {
    const started = performance.now();
    const { forest, oobScores } = await trainForest(
      { features: loaded.train.features, labels: loaded.train.labels },
      { ...params, seed },
    );
    seconds += elapsedSeconds(started) / SEEDS.length;
    const oob = present(loaded.train.labels, oobScores);
    oobAuc += rocAuc(oob.labels, oob.scores) / SEEDS.length;
    const maps = {
      platt: fitPlatt(oob.labels, oob.scores),
      isotonic: fitIsotonic(oob.labels, oob.scores),
    };
    for (const [name, test] of Object.entries(loaded.tests)) {
      const scores = forest.predictProba(test.features);
      auc[name] = (auc[name] ?? 0) + rocAuc(test.labels, scores) / SEEDS.length;
      brier[name] = (brier[name] ?? 0) + brierScore(test.labels, scores) / SEEDS.length;
      for (const [method, map] of Object.entries(maps)) {
        const key = `${name} ${method}`;
        calibrated[key] =
          (calibrated[key] ?? 0) +
          brierScore(test.labels, calibrateAll(map, scores)) / SEEDS.length;
      }
    }
  }
  return { auc, brier, calibrated, oobAuc, seconds };
}

export async function benchVariants(variants: string[]): Promise<void> {
  const parsed = variants.map((text) => JSON.parse(text) as Partial<ForestParams>);
  const loadedSets: LoadedSet[] = [];
  for (const set of qualitySets()) {
    const loaded = await loadSet(set);
    loadedSets.push(loaded);
    if (set.name === 'course') loadedSets.push(withNoiseColumn(loaded, 51));
  }
  for (const loaded of loadedSets) {
    console.log(`\n${loaded.set.name} (${loaded.train.labels.length} rows)`);
    for (const [v, params] of parsed.entries()) {
      const { auc, brier, calibrated, oobAuc, seconds } = await scoreVariant(loaded, params);
      const tests = Object.keys(auc)
        .map(
          (name) =>
            `${name} AUC ${auc[name].toFixed(4)} Brier ${brier[name].toFixed(4)} ` +
            `(Platt ${calibrated[`${name} platt`].toFixed(4)}, isotonic ${calibrated[`${name} isotonic`].toFixed(4)})`,
        )
        .join('  ');
      console.log(
        `  ${variants[v].padEnd(60)} ${tests}  OOB AUC ${oobAuc.toFixed(4)}  ${seconds.toFixed(2)} s`,
      );
    }
  }
}
