/**
 * The product end to end, through the built CLI: `churn predict` scoring 1M and 3M generated rows
 * (read, score with 100 trees grown on 50k rows, write) against pandas + scikit-learn on the same
 * files in the same run, and `churn train` on 1M rows. Each run is its own process; peak memory
 * is its maximum resident set, worker threads included.
 */
import { elapsedSeconds } from '../src/common/elapsed.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCustomers } from '../src/jobs/generate.js';
import { silentLogger } from '../support/silent-logger.js';
import { BENCH_DIR } from './datasets.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const CHURN_BIN = resolve(here, '..', '..', '..', 'bin', 'churn.js');
const SCORE_PANDAS = resolve(here, '..', '..', '..', 'bench', 'score_pandas.py');
const PYTHON = '/usr/bin/python3';
const RUNS = 3;

export interface Measured {
  seconds: number;
  peakMb: number;
}

export async function generated(name: string, rows: number, seed: number): Promise<string> {
  const path = resolve(BENCH_DIR, name);
  if (!existsSync(path)) await generateCustomers({ rows, seed, drift: 0, out: path }, silentLogger);
  return path;
}

/** Runs the built CLI in a process of its own, in BENCH_DIR: its wall time and peak memory. */
export function churn(args: string[]): Measured {
  const peakFile = resolve(BENCH_DIR, 'peak.txt');
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      join(here, 'peak-memory.js'),
      CHURN_BIN,
      ...args,
      '--quiet',
      '--log-dir',
      resolve(BENCH_DIR, 'logs'),
    ],
    { cwd: BENCH_DIR, encoding: 'utf8', env: { ...process.env, BENCH_PEAK_FILE: peakFile } },
  );
  const seconds = elapsedSeconds(started);
  if (child.status !== 0) throw new Error(`churn ${args[0]} failed: ${child.stderr.trim()}`);
  return { seconds, peakMb: Number(readFileSync(peakFile, 'utf8')) };
}

export function trainArgs(file: string, models: string): string[] {
  return [
    'train',
    '--data',
    file,
    '--target',
    'saiu',
    '--id',
    'id_cliente',
    '--models-dir',
    models,
  ];
}

function pandas(train: string, score: string): Measured | string {
  if (!existsSync(PYTHON)) return `${PYTHON} is absent`;
  const child = spawnSync(
    PYTHON,
    [SCORE_PANDAS, train, score, resolve(BENCH_DIR, 'pandas-out.csv')],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) {
    return child.stderr.includes('No module named')
      ? 'needs python3-pandas and python3-sklearn'
      : child.stderr.trim().split('\n').at(-1)!;
  }
  return JSON.parse(child.stdout) as Measured;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export function summarize(runs: Measured[]): Measured {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    peakMb: Math.max(...runs.map((r) => r.peakMb)),
  };
}

export async function benchPipeline(options: { train1M: boolean }): Promise<void> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const train = await generated('pipeline-train-50k.csv', 50_000, 11);
  const score1M = await generated('pipeline-score-1M.csv', 1_000_000, 12);
  const score3M = await generated('pipeline-score-3M.csv', 3_000_000, 13);
  const models = resolve(BENCH_DIR, 'pipeline-models');
  rmSync(models, { recursive: true, force: true });
  console.log('\nchurn predict end to end (100 trees grown on 50k rows):');
  churn(trainArgs(train, models));

  const ours: Record<string, Measured[]> = { '1M': [], '3M': [] };
  const theirs: Array<Measured | string> = [];
  // Alternate the contestants so machine noise falls on both alike.
  for (let run = 0; run < RUNS; run++) {
    theirs.push(pandas(train, score1M));
    for (const [size, file] of [
      ['1M', score1M],
      ['3M', score3M],
    ] as const) {
      if (size === '3M' && run > 0) continue;
      ours[size].push(
        churn([
          'predict',
          '--data',
          file,
          '--models-dir',
          models,
          '--out',
          resolve(BENCH_DIR, `scored-${size}.csv`),
        ]),
      );
    }
  }
  const one = summarize(ours['1M']);
  const three = summarize(ours['3M']);
  const python = theirs.every((t) => typeof t !== 'string')
    ? summarize(theirs as Measured[])
    : null;
  const line = (label: string, m: Measured, runs: number) =>
    console.log(
      `  ${label.padEnd(34)} ${m.seconds.toFixed(2).padStart(7)} s (median of ${runs})  peak ${m.peakMb.toFixed(0).padStart(5)} MB`,
    );
  line('churn predict, 1M rows', one, ours['1M'].length);
  line('churn predict, 3M rows', three, ours['3M'].length);
  if (python) line('pandas + scikit-learn, 1M rows', python, theirs.length);
  else
    console.log(`  pandas + scikit-learn: skipped (${theirs.find((t) => typeof t === 'string')})`);

  console.log('\nTargets:');
  const check = (label: string, ok: boolean, figure: string) =>
    console.log(`  ${ok ? '✓' : '✗'} ${label}: ${figure}`);
  if (python) {
    check(
      'scoring 1M rows at least as fast as pandas + scikit-learn',
      one.seconds <= python.seconds,
      `${one.seconds.toFixed(2)} s vs ${python.seconds.toFixed(2)} s (${(one.seconds / python.seconds).toFixed(2)}x)`,
    );
  }
  check(
    'peak memory scoring 1M rows under 300 MB',
    one.peakMb < 300,
    `${one.peakMb.toFixed(0)} MB`,
  );
  const growth = three.peakMb / one.peakMb - 1;
  check(
    'peak memory grows at most 25% from 1M to 3M rows',
    growth <= 0.25,
    `${(growth * 100).toFixed(1)}%`,
  );

  if (options.train1M) {
    const train1M = await generated('pipeline-train-1M.csv', 1_000_000, 14);
    const trained = churn(trainArgs(train1M, models));
    console.log(
      `\nchurn train on 1M rows end to end (read, 100 trees, evaluate, save): ${trained.seconds.toFixed(1)} s, peak ${trained.peakMb.toFixed(0)} MB`,
    );
  }
}
