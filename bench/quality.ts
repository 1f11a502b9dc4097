/**
 * `npm run bench -- quality`: the model's quality as a user meets it, against scikit-learn fitted
 * the way a Python user would, in one run.
 *
 * For every real data set present (bench/quality-sets.ts) and seeds 1 to 3: `churn train` on the
 * training file with its defaults (the built CLI, a process of its own), `churn predict` on each
 * test file, and the AUC and Brier score of the written probabilities against the truth; then
 * scikit-learn's RandomForestClassifier with its defaults, with churn's settings, and
 * HistGradientBoostingClassifier (100 iterations), each on one-hot features, trained in one
 * process (timed whole, as the user waits for it) and scored in another (bench/quality_sklearn.py).
 *
 * Then the time a user waits for a model on the course data: `churn train` with its defaults
 * against a Python script that reads, fits, evaluates and saves (bench/train_sklearn.py), run
 * alternately, each its own process.
 */
import { elapsedSeconds } from '../src/common/elapsed.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SCHEMA } from '../src/config/schema.js';
import { brierScore, rocAuc } from '../src/evaluation/index.js';
import { qualitySets, type QualitySet } from './quality-sets.js';
import { markdownTable } from './table.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(here, '..', '..', '..');
const CHURN_BIN = join(ROOT, 'bin', 'churn.js');
const QUALITY_SKLEARN = join(ROOT, 'bench', 'quality_sklearn.py');
const TRAIN_SKLEARN = join(ROOT, 'bench', 'train_sklearn.py');
const PYTHON = '/usr/bin/python3';
const SEEDS = [1, 2, 3];
/** Alternated whole-process runs of `churn train` and the Python script. */
const TIMING_RUNS = 7;

type Contestant = 'churn' | 'rf-defaults' | 'rf-churn' | 'hgb';
const CONTESTANTS: Record<Contestant, string> = {
  churn: 'churn (defaults)',
  'rf-defaults': 'sklearn RF, defaults',
  'rf-churn': "sklearn RF, churn's settings",
  hgb: 'sklearn HistGradientBoosting',
};

interface Scored {
  /** Per test file. */
  auc: Record<string, number>;
  brier: Record<string, number>;
  trainSeconds: number;
}

interface Outcome {
  set: QualitySet;
  contestant: Contestant;
  runs: Scored[];
}

function run(command: string, args: string[], cwd: string): { stdout: string; seconds: number } {
  const started = performance.now();
  const child = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const seconds = elapsedSeconds(started);
  if (child.status !== 0) {
    const why = (child.stderr || child.error?.message || 'failed').trim().split('\n').at(-1);
    throw new Error(`${command} ${args.slice(0, 2).join(' ')} failed: ${why}`);
  }
  return { stdout: child.stdout, seconds };
}

function churnTrainArgs(set: QualitySet, seed: number | null, models: string, logs: string) {
  return [
    CHURN_BIN,
    'train',
    '--data',
    resolve(set.train),
    '--target',
    set.target,
    '--id',
    set.id,
    ...(set.positiveLabel === null ? [] : ['--positive-label', set.positiveLabel]),
    ...(seed === null ? [] : ['--seed', String(seed)]),
    '--models-dir',
    models,
    '--log-dir',
    logs,
    '--json',
  ];
}

/** The target of each row of a labelled file, by id: the truth the predictions are judged by. */
function truth(set: QualitySet, file: string): Map<string, number> {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const columns = header.split(set.delimiter);
  const id = columns.indexOf(set.id);
  const target = columns.indexOf(set.target);
  const positive = (value: string) =>
    set.positiveLabel === null
      ? ['1', 'true', 'yes', 'sim', 's'].includes(value.toLowerCase())
      : value === set.positiveLabel;
  return new Map(
    lines.map((line) => {
      const cells = line.split(set.delimiter);
      return [cells[id].trim(), positive(cells[target].trim()) ? 1 : 0];
    }),
  );
}

/** The probabilities `churn predict` wrote, joined to the truth by id. */
function judge(predictions: string, labels: Map<string, number>) {
  const [header, ...lines] = readFileSync(predictions, 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',');
  const probability = columns.indexOf('churn_probability');
  const y: number[] = [];
  const p: number[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    y.push(labels.get(cells[0])!);
    p.push(Number(cells[probability]));
  }
  return { auc: rocAuc(y, p), brier: brierScore(y, p) };
}

function scoreChurn(set: QualitySet, seed: number, work: string): Scored {
  const models = join(work, 'models');
  const logs = join(work, 'logs');
  const trained = run(process.execPath, churnTrainArgs(set, seed, models, logs), work);
  const { version } = JSON.parse(trained.stdout) as { version: string };
  const scored: Scored = { auc: {}, brier: {}, trainSeconds: trained.seconds };
  for (const [name, file] of Object.entries(set.tests)) {
    const out = join(work, `predictions-${name}.csv`);
    run(
      process.execPath,
      [
        CHURN_BIN,
        'predict',
        '--data',
        resolve(file),
        '--model',
        version,
        '--models-dir',
        models,
        '--log-dir',
        logs,
        '--out',
        out,
        '--quiet',
      ],
      work,
    );
    const { auc, brier } = judge(out, truth(set, file));
    scored.auc[name] = auc;
    scored.brier[name] = brier;
  }
  return scored;
}

/** churn's default forest settings, as scikit-learn names them. */
function churnDefaults(): { minSamplesLeaf: number; classWeight: string | null } {
  const leaf = CONFIG_SCHEMA['model.minSamplesLeaf'].default as number;
  const weight = CONFIG_SCHEMA['model.classWeight'].default as string;
  return { minSamplesLeaf: leaf, classWeight: weight === 'balanced' ? 'balanced' : null };
}

function scoreSklearn(
  set: QualitySet,
  contestant: Exclude<Contestant, 'churn'>,
  seed: number,
  work: string,
): Scored {
  const request = {
    train: resolve(set.train),
    tests: Object.fromEntries(Object.entries(set.tests).map(([n, f]) => [n, resolve(f)])),
    target: set.target,
    id: set.id,
    positive: set.positiveLabel,
    sep: set.delimiter,
    model: contestant === 'hgb' ? 'hgb' : 'rf',
    seed,
    model_path: join(work, 'model.joblib'),
    ...(contestant === 'rf-churn' ? churnDefaults() : {}),
  };
  const trained = run(PYTHON, [QUALITY_SKLEARN, 'train', JSON.stringify(request)], work);
  const scored = run(PYTHON, [QUALITY_SKLEARN, 'score', JSON.stringify(request)], work);
  const { tests } = JSON.parse(scored.stdout) as {
    tests: Record<string, { auc: number; brier: number }>;
  };
  return {
    auc: Object.fromEntries(Object.entries(tests).map(([n, t]) => [n, t.auc])),
    brier: Object.fromEntries(Object.entries(tests).map(([n, t]) => [n, t.brier])),
    trainSeconds: trained.seconds,
  };
}

function hasSklearn(): boolean {
  const child = spawnSync(PYTHON, ['-c', 'import sklearn, pandas, joblib'], { stdio: 'ignore' });
  return child.status === 0;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function meanOf(outcome: Outcome, key: 'auc' | 'brier', test: string): number {
  return mean(outcome.runs.map((r) => r[key][test]));
}

function printTable(outcomes: Outcome[]): void {
  const header = ['data', 'test', 'model', 'AUC (mean of 3)', 'Brier', 'train s (median)'];
  const lines: string[][] = [];
  for (const outcome of outcomes) {
    for (const test of Object.keys(outcome.set.tests)) {
      lines.push([
        outcome.set.name,
        test,
        CONTESTANTS[outcome.contestant],
        meanOf(outcome, 'auc', test).toFixed(4),
        meanOf(outcome, 'brier', test).toFixed(4),
        median(outcome.runs.map((r) => r.trainSeconds)).toFixed(2),
      ]);
    }
  }
  console.log();
  console.log(markdownTable(header, lines));
}

const check = (label: string, ok: boolean, figure: string) =>
  console.log(`  ${ok ? '✓' : '✗'} ${label}: ${figure}`);

function printTargets(outcomes: Outcome[]): void {
  console.log('\nTargets:');
  const sets = [...new Set(outcomes.map((o) => o.set))];
  for (const set of sets) {
    const of = (c: Contestant) => outcomes.find((o) => o.set === set && o.contestant === c);
    const ours = of('churn');
    const forests = [of('rf-defaults'), of('rf-churn')].filter((o): o is Outcome => !!o);
    const boosting = of('hgb');
    if (!ours || forests.length === 0) continue;
    for (const test of Object.keys(set.tests)) {
      const auc = meanOf(ours, 'auc', test);
      const bestForest = Math.max(...forests.map((o) => meanOf(o, 'auc', test)));
      const where = `${set.name} ${test}`;
      check(
        `${where}: AUC at least the best sklearn forest's`,
        auc >= bestForest,
        `${auc.toFixed(4)} vs ${bestForest.toFixed(4)}`,
      );
      if (boosting) {
        const theirs = meanOf(boosting, 'auc', test);
        check(
          `${where}: AUC aims for HistGradientBoosting's`,
          auc >= theirs,
          `${auc.toFixed(4)} vs ${theirs.toFixed(4)}`,
        );
      }
      const brier = meanOf(ours, 'brier', test);
      const forestBrier = Math.min(...forests.map((o) => meanOf(o, 'brier', test)));
      check(
        `${where}: Brier no worse than the better sklearn forest's`,
        brier <= forestBrier,
        `${brier.toFixed(4)} vs ${forestBrier.toFixed(4)}`,
      );
    }
  }
}

/** `churn train` with its defaults against the Python script, alternated, on the course data. */
function benchTrainTime(set: QualitySet, work: string, sklearn: boolean): void {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < TIMING_RUNS; round++) {
    const models = join(work, `timing-models-${round}`);
    const churnRun = () =>
      ours.push(
        run(process.execPath, churnTrainArgs(set, null, models, join(work, 'logs')), work).seconds,
      );
    const pythonRun = () =>
      theirs.push(
        run(PYTHON, [TRAIN_SKLEARN, resolve(set.train), join(work, 'script-model.joblib')], work)
          .seconds,
      );
    if (!sklearn) churnRun();
    else if (round % 2 === 0) {
      churnRun();
      pythonRun();
    } else {
      pythonRun();
      churnRun();
    }
  }
  console.log(
    `\nA model on the course data, whole process, ${TIMING_RUNS} alternated runs (median):`,
  );
  console.log(
    `  churn train (defaults: read, fit, evaluate, save, report): ${median(ours).toFixed(2)} s`,
  );
  if (!sklearn) return;
  console.log(
    `  python: pandas read_csv + scikit-learn fit (n_jobs=2) + evaluate + joblib save: ${median(theirs).toFixed(2)} s`,
  );
  const ratio = median(ours) / median(theirs);
  check('churn train no slower than the Python script', ratio <= 1, `${ratio.toFixed(2)}x`);
  check('aim: half its time', ratio <= 0.5, `${ratio.toFixed(2)}x`);
}

export async function benchQuality(include: (name: string) => boolean = () => true): Promise<void> {
  const sklearn = hasSklearn();
  if (!sklearn) {
    console.log(`skipping scikit-learn: ${PYTHON} with sklearn, pandas and joblib is absent`);
  }
  const sets = qualitySets(include);
  if (sets.length === 0) return;
  const work = mkdtempSync(join(tmpdir(), 'churn-quality-'));
  try {
    const outcomes: Outcome[] = [];
    for (const set of sets) {
      const contestants: Contestant[] = sklearn
        ? ['churn', 'rf-defaults', 'rf-churn', 'hgb']
        : ['churn'];
      const bySet = contestants.map((contestant) => ({ set, contestant, runs: [] as Scored[] }));
      // Seed by seed, every contestant in turn, so machine noise falls on all alike.
      for (const seed of SEEDS) {
        console.log(`${set.name}, seed ${seed}…`);
        for (const outcome of bySet) {
          const scored =
            outcome.contestant === 'churn'
              ? scoreChurn(set, seed, work)
              : scoreSklearn(set, outcome.contestant, seed, work);
          outcome.runs.push(scored);
        }
      }
      outcomes.push(...bySet);
    }
    printTable(outcomes);
    printTargets(outcomes);
    const course = sets.find((set) => set.name === 'course');
    if (course) benchTrainTime(course, work, sklearn);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
