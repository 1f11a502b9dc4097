/**
 * Scale beyond one process and beyond CSV, through the built CLI, each run its own process:
 *
 *   shards   each of N shards of a 1M-row file holds within 1% of 1/N of its rows, and scoring
 *            one shard takes at most 1.1/N of scoring the whole file with the same threads
 *            (N machines, N times the throughput), for N = 2, 4, 8;
 *   parquet  scoring 1M rows from Parquet (DuckDB's snappy copy of the CSV) at least 1.5x faster
 *            than from the CSV, with peak memory under 300 MB.
 *
 * Same files and model as `npm run bench -- pipeline` (100 trees grown on 50k rows).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { openCsv } from '../src/data/csv-reader.js';
import { writeParquet } from '../test/helpers/parquet.js';
import { BENCH_DIR } from './datasets.js';
import { churn, generated, summarize, trainArgs, type Measured } from './pipeline.js';

const RUNS = 3;
const SHARD_COUNTS = [2, 4, 8];

async function fixtures(): Promise<{ score: string; models: string }> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const train = await generated('pipeline-train-50k.csv', 50_000, 11);
  const score = await generated('pipeline-score-1M.csv', 1_000_000, 12);
  const models = resolve(BENCH_DIR, 'scale-models');
  rmSync(models, { recursive: true, force: true });
  churn(trainArgs(train, models));
  return { score, models };
}

const check = (label: string, ok: boolean, figure: string) =>
  console.log(`  ${ok ? '✓' : '✗'} ${label}: ${figure}`);
const seconds = (m: Measured) => `${m.seconds.toFixed(2)} s`;

function predict(data: string, models: string, extra: string[] = []): Measured {
  return churn([
    'predict',
    '--data',
    data,
    '--models-dir',
    models,
    '--out',
    resolve(BENCH_DIR, 'scale-scored.csv'),
    ...extra,
  ]);
}

export async function benchShards(): Promise<void> {
  const { score, models } = await fixtures();
  console.log('\nsharded scoring of one 1M-row file (100 trees, threads as for the whole file):');
  const rows: number[] = [];
  for (const count of SHARD_COUNTS) {
    const perShard: number[] = [];
    for (let index = 0; index < count; index++) {
      const source = await openCsv(score, { shard: { index, count } });
      let n = 0;
      for await (const batch of source.batches(8192)) n += batch.length;
      perShard.push(n);
    }
    const total = perShard.reduce((a, b) => a + b);
    rows.push(total);
    const worst = Math.max(...perShard.map((n) => Math.abs(n / (total / count) - 1)));
    check(
      `${count} shards each within 1% of 1/${count} of the rows`,
      worst <= 0.01,
      `largest deviation ${(worst * 100).toFixed(3)}% (${perShard.map((n) => n.toLocaleString('en-US')).join(', ')})`,
    );
  }
  // The last shard reads the most before its start (the quote scan), so it is the one timed.
  const whole: Measured[] = [];
  const shards = new Map<number, Measured[]>(SHARD_COUNTS.map((count) => [count, []]));
  for (let run = 0; run < RUNS; run++) {
    whole.push(predict(score, models));
    for (const count of SHARD_COUNTS) {
      shards.get(count)!.push(predict(score, models, ['--shard', `${count - 1}/${count}`]));
    }
  }
  const all = summarize(whole);
  console.log(
    `  whole file: ${seconds(all)} (median of ${RUNS}), peak ${all.peakMb.toFixed(0)} MB`,
  );
  for (const count of SHARD_COUNTS) {
    const one = summarize(shards.get(count)!);
    const share = one.seconds / all.seconds;
    check(
      `one shard of ${count} at most ${(1.1 / count).toFixed(3)} of the whole file's time`,
      share <= 1.1 / count,
      `${seconds(one)}, ${share.toFixed(3)} of it (${(share * count).toFixed(2)}/${count}); peak ${one.peakMb.toFixed(0)} MB`,
    );
  }
}

export async function benchParquet(): Promise<void> {
  const { score, models } = await fixtures();
  const parquet = resolve(BENCH_DIR, 'pipeline-score-1M.parquet');
  if (!existsSync(parquet)) {
    await writeParquet(`SELECT * FROM read_csv('${score}', header = true)`, parquet);
  }
  console.log('\nscoring 1M rows from Parquet (DuckDB, snappy) and from the same rows as CSV:');
  const csv: Measured[] = [];
  const pq: Measured[] = [];
  for (let run = 0; run < RUNS; run++) {
    csv.push(predict(score, models));
    pq.push(predict(parquet, models));
  }
  const a = summarize(csv);
  const b = summarize(pq);
  console.log(`  CSV:     ${seconds(a)} (median of ${RUNS}), peak ${a.peakMb.toFixed(0)} MB`);
  console.log(`  Parquet: ${seconds(b)} (median of ${RUNS}), peak ${b.peakMb.toFixed(0)} MB`);
  check(
    'Parquet at least 1.5x faster than CSV',
    a.seconds / b.seconds >= 1.5,
    `${(a.seconds / b.seconds).toFixed(2)}x`,
  );
  check('peak memory scoring Parquet under 300 MB', b.peakMb < 300, `${b.peakMb.toFixed(0)} MB`);
}
