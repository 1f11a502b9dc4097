/**
 * `npm run bench`: our forest, scikit-learn and ml-random-forest side by side in one run, each fit
 * in its own process, with 100 trees, min_samples_leaf 5 and sqrt features. Prints fit seconds
 * (median, and the first fit of the process), the ratio to scikit-learn, ROC AUC on held-out
 * files and peak memory, then the engine's targets against those figures.
 *
 * It also times `churn generate` writing 100 000 and 1 000 000 rows: its memory must not grow
 * with the row count; and the CLI end to end (bench/pipeline.ts): `churn predict` on 1M and 3M
 * rows against pandas + scikit-learn, and `churn train` on 1M rows.
 *
 *   npm run bench                      everything
 *   npm run bench -- course 100k       only these datasets
 *   npm run bench -- generate          the generator alone
 *   npm run bench -- pipeline          predict end to end (add train-1M: train on 1M rows)
 *   npm run bench -- explain           explanations: exact TreeSHAP's rows/s on the course model,
 *                                      predict --explain 3 against plain predict on 1M and 3M rows
 *   npm run bench -- serve             churn serve against FastAPI + uvicorn + scikit-learn
 *   npm run bench -- quality           AUC, Brier and training time on the real data sets
 *                                      against scikit-learn (bench/quality.ts)
 *   npm run bench -- variants '{…}' …  engine settings compared on the real data sets
 *   npm run bench -- golden            hashes of forests grown on them, for refactorings
 *   npm run bench -- startup           how fast churn starts (add --baseline DIR: another
 *                                      build beside this one; bench/startup.ts)
 *   npm run bench -- shards            sharded scoring: rows per shard, one shard's time (scale.ts)
 *   npm run bench -- parquet           scoring from Parquet against the same rows as CSV
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, datasets, type Dataset } from './datasets.js';
import { benchExplain } from './explain.js';
import { benchGolden } from './golden.js';
import { benchPipeline } from './pipeline.js';
import { benchServe } from './serve.js';
import { benchQuality } from './quality.js';
import { benchStartup } from './startup.js';
import { benchParquet, benchShards } from './scale.js';
import { benchVariants } from './variants.js';
import type { FitRequest, FitResult } from './protocol.js';
import { markdownTable } from './table.js';

const TREES = 100;
const MIN_SAMPLES_LEAF = 5;
/** ml-random-forest takes minutes for 100 trees; it grows this many and is scaled up. */
const BASELINE_TREES = 10;
const PYTHON = '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));
const sourceDir = join(here, '..', '..', '..', 'bench');

interface Row {
  dataset: string;
  model: string;
  result: FitResult | null;
  /** Multiplier from trees grown to 100. */
  scale: number;
  note?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function runContestant(command: string, args: string[], request: FitRequest): FitResult | string {
  const child = spawnSync(command, [...args, JSON.stringify(request)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  if (child.status !== 0)
    return (child.stderr || child.error?.message || 'failed').trim().split('\n').at(-1)!;
  return JSON.parse(child.stdout) as FitResult;
}

function hasSklearn(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What `npm run bench -- NAME …` runs; variants and startup take arguments of their own. */
const DATASETS = ['course', '100k', '1M'];
const PARTS = [
  'generate',
  'pipeline',
  'train-1M',
  'explain',
  'serve',
  'quality',
  'shards',
  'parquet',
];
const ALONE = ['variants', 'golden', 'startup'];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  if (wanted[0] === 'variants') return benchVariants(wanted.slice(1));
  if (wanted[0] === 'golden') return benchGolden();
  if (wanted[0] === 'startup') return benchStartup(wanted.slice(1));
  const names = `${[...DATASETS, ...PARTS, ...ALONE].join(', ')} (bench/run.ts says what each measures)`;
  if (wanted.includes('--help') || wanted.includes('-h')) {
    console.log(`npm run bench [-- NAME …]: everything, or only the benchmarks named: ${names}`);
    return;
  }
  const unknown = wanted.filter((name) => !DATASETS.includes(name) && !PARTS.includes(name));
  if (unknown.length > 0) {
    // A typo must not run nothing and succeed, nor run the hour-long whole.
    console.error(
      `error: no benchmark named ${unknown.map((name) => `"${name}"`).join(', ')}: ${names}`,
    );
    process.exitCode = 2;
    return;
  }
  mkdirSync(BENCH_DIR, { recursive: true });
  const sets = await datasets((name) => wanted.length === 0 || wanted.includes(name));
  const sklearn = hasSklearn();
  if (!sklearn)
    console.log(
      `skipping scikit-learn: ${PYTHON} with sklearn is absent (Debian: python3-sklearn)`,
    );

  const rows: Row[] = [];
  for (const set of sets) {
    const base: FitRequest = {
      trainCsv: set.trainCsv,
      testCsvs: set.testCsvs,
      runs: set.runs,
      trees: TREES,
      minSamplesLeaf: MIN_SAMPLES_LEAF,
    };
    const synthetic = set.name === 'course' ? undefined : { rows: set.rows, seed: 1 };
    console.log(`${set.name}: our forest…`);
    rows.push(
      row(
        set,
        'churn (ours)',
        runContestant(process.execPath, [join(here, 'fit-churn.js')], { ...base, synthetic }),
        1,
      ),
    );
    if (sklearn) {
      console.log(`${set.name}: scikit-learn…`);
      rows.push(
        row(
          set,
          'scikit-learn (n_jobs=2)',
          runContestant(PYTHON, [join(sourceDir, 'fit_sklearn.py')], base),
          1,
        ),
      );
    }
    if (set.name === 'course') {
      console.log(`${set.name}: ml-random-forest (${BASELINE_TREES} trees)…`);
      const request = { ...base, trees: BASELINE_TREES, runs: 1 };
      const result = runContestant(
        process.execPath,
        [join(here, 'fit-ml-random-forest.js')],
        request,
      );
      rows.push(
        row(
          set,
          `ml-random-forest (${BASELINE_TREES} trees, time ×${TREES / BASELINE_TREES})`,
          result,
          TREES / BASELINE_TREES,
        ),
      );
    }
  }
  if (wanted.length === 0 || wanted.includes('generate')) benchGenerator();
  if (wanted.length === 0 || wanted.includes('quality')) await benchQuality();
  if (wanted.length === 0 || wanted.includes('shards')) await benchShards();
  if (wanted.length === 0 || wanted.includes('parquet')) await benchParquet();
  if (wanted.length === 0 || wanted.includes('pipeline')) {
    await benchPipeline({ train1M: wanted.length === 0 || wanted.includes('train-1M') });
  }
  if (wanted.length === 0 || wanted.includes('explain')) await benchExplain();
  if (wanted.length === 0 || wanted.includes('serve')) await benchServe();
  if (rows.length === 0) return;
  printTable(rows);
  printTargets(rows);
  writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify(rows, null, 2));
}

function benchGenerator(): void {
  console.log('\nchurn generate, streaming to a file:');
  for (const count of [100_000, 1_000_000]) {
    const child = spawnSync(process.execPath, [join(here, 'generate-rows.js'), String(count)], {
      encoding: 'utf8',
    });
    if (child.status !== 0) {
      console.log(`  ${count} rows: failed: ${child.stderr.trim().split('\n').at(-1)}`);
      continue;
    }
    const { seconds, peakMb } = JSON.parse(child.stdout) as { seconds: number; peakMb: number };
    console.log(
      `  ${count.toLocaleString('en-US')} rows: ${seconds.toFixed(2)} s, peak ${peakMb.toFixed(0)} MB`,
    );
  }
}

function row(set: Dataset, model: string, result: FitResult | string, scale: number): Row {
  if (typeof result === 'string')
    return { dataset: set.name, model, result: null, scale, note: result };
  return { dataset: set.name, model, result, scale, note: result.note };
}

function fitSeconds(r: Row): number | null {
  return r.result && r.result.fits.length > 0 ? median(r.result.fits) * r.scale : null;
}

function sklearnSeconds(rows: Row[], dataset: string): number | null {
  const reference = rows.find((r) => r.dataset === dataset && r.model.startsWith('scikit-learn'));
  return reference ? fitSeconds(reference) : null;
}

function printTable(rows: Row[]): void {
  const header = ['data', 'model', 'fit s (median)', 'first fit s', 'vs sklearn', 'AUC', 'peak MB'];
  const lines = rows.map((r) => {
    const seconds = fitSeconds(r);
    const reference = sklearnSeconds(rows, r.dataset);
    const auc = r.result
      ? Object.entries(r.result.auc)
          .map(([name, v]) => `${name} ${v.toFixed(4)}`)
          .join(', ')
      : '';
    return [
      r.dataset,
      r.model,
      seconds === null ? '—' : `${seconds.toFixed(3)} (${r.result!.fits.length} fits)`,
      r.result && r.result.fits.length > 0 ? (r.result.fits[0] * r.scale).toFixed(3) : '—',
      seconds !== null && reference ? `${(seconds / reference).toFixed(2)}x` : '—',
      r.note ? `${auc} ${r.note}`.trim() : auc,
      r.result ? r.result.peakMb.toFixed(0) : '—',
    ];
  });
  console.log();
  console.log(markdownTable(header, lines));
}

function printTargets(rows: Row[]): void {
  const ours = (dataset: string) =>
    rows.find((r) => r.dataset === dataset && r.model.startsWith('churn'));
  const theirs = (dataset: string) =>
    rows.find((r) => r.dataset === dataset && r.model.startsWith('scikit-learn'));
  const baseline = rows.find((r) => r.model.startsWith('ml-random-forest'));
  const check = (label: string, ok: boolean | null, figure: string) =>
    console.log(`${ok === null ? '  ?' : ok ? '  ✓' : '  ✗'} ${label}: ${figure}`);
  console.log('\nTargets:');
  const course = ours('course');
  const sk = theirs('course');
  if (course?.result && sk?.result) {
    for (const batch of Object.keys(course.result.auc)) {
      const a = course.result.auc[batch];
      const b = sk.result.auc[batch];
      check(
        `AUC on ${batch} at least scikit-learn's`,
        a >= b,
        `${a.toFixed(4)} vs ${b.toFixed(4)}`,
      );
    }
    const a = course.result.auc.novos_1;
    check('AUC on novos_1 aims for 0.855', a >= 0.855, a.toFixed(4));
  }
  for (const [dataset, limit] of [
    ['course', 0.5],
    ['100k', 0.3],
  ] as const) {
    const a = ours(dataset);
    const reference = sklearnSeconds(rows, dataset);
    if (a && reference) {
      const ratio = fitSeconds(a)! / reference;
      check(
        `fit time on ${dataset} at most ${limit}x scikit-learn's`,
        ratio <= limit,
        `${ratio.toFixed(2)}x`,
      );
    }
  }
  if (course && baseline && fitSeconds(baseline) !== null) {
    const speedup = fitSeconds(baseline)! / fitSeconds(course)!;
    const aucOurs = course.result!.auc.novos_1;
    const aucTheirs = baseline.result!.auc.novos_1;
    check(
      'over 100x faster than ml-random-forest',
      speedup > 100,
      `${speedup.toFixed(0)}x (extrapolated from ${BASELINE_TREES} trees)`,
    );
    check(
      'at a higher AUC than ml-random-forest',
      aucOurs > aucTheirs,
      `${aucOurs.toFixed(4)} vs ${aucTheirs.toFixed(4)}`,
    );
  } else if (baseline?.note) {
    check('ml-random-forest', null, baseline.note);
  }
  const big = ours('1M');
  if (big?.result)
    check(
      '1M rows train under 1 GB peak memory',
      big.result.peakMb < 1024,
      `${big.result.peakMb.toFixed(0)} MB`,
    );
}

await main();
