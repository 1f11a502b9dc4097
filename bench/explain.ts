/**
 * `npm run bench -- explain`: what explanations cost.
 *
 *   1. Exact TreeSHAP on the course model (100 fully grown trees trained on the course's file, or
 *      on the shipped data/train.csv without ../shared): rows per second on every core, against
 *      the TreeSHAP papers' own algorithm in the same language (bench/explain-speed.ts).
 *   2. `churn predict --explain 3 --explain-method fast` against plain `churn predict` on 1M
 *      generated rows (100 trees grown on 50k rows, as bench/pipeline.ts), whole processes side by
 *      side in alternating order, and the fast method on 3M rows for its memory.
 *   3. The same pair with exact TreeSHAP on the course data, whole processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR } from './datasets.js';
import { churn, generated, summarize, trainArgs, type Measured } from './pipeline.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(here, '..', '..', '..');
const SHARED = resolve(ROOT, '..', 'shared', 'data', 'bank-churn');
const RUNS = 3;

interface Speed {
  nodesPerTree: number;
  deepest: number;
  rows: number;
  threads: number;
  exact: number;
  exactOneThread: number;
  original: number;
  fast: number;
  scoring: number;
}

function courseFiles(): { train: string; score: string[]; name: string } {
  if (existsSync(join(SHARED, 'dados_treino.csv'))) {
    return {
      name: 'the course data',
      train: join(SHARED, 'dados_treino.csv'),
      score: [join(SHARED, 'dados_novos_1.csv'), join(SHARED, 'dados_novos_2.csv')],
    };
  }
  console.log(`  (${SHARED} is absent: using the shipped data/ instead)`);
  return {
    name: 'the shipped data',
    train: join(ROOT, 'data', 'train.csv'),
    score: [join(ROOT, 'data', 'new_batch_1.csv'), join(ROOT, 'data', 'new_batch_2.csv')],
  };
}

const check = (label: string, ok: boolean, figure: string) =>
  console.log(`  ${ok ? '✓' : '✗'} ${label}: ${figure}`);
const line = (label: string, m: Measured, runs: number) =>
  console.log(
    `  ${label.padEnd(46)} ${m.seconds.toFixed(2).padStart(7)} s (median of ${runs})  peak ${m.peakMb.toFixed(0).padStart(5)} MB`,
  );

export async function benchExplain(): Promise<void> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const course = courseFiles();

  console.log(`\nexact TreeSHAP on ${course.name} (100 trees, minSamplesLeaf 5):`);
  const child = spawnSync(
    process.execPath,
    [join(here, 'explain-speed.js'), course.train, ...course.score],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`explain-speed failed: ${child.stderr.trim()}`);
  const speed = JSON.parse(child.stdout) as Speed;
  const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')} rows/s`;
  console.log(
    `  ${speed.nodesPerTree.toFixed(0)} nodes a tree, up to ${speed.deepest} levels; ${speed.rows} rows`,
  );
  console.log(`  exact, ${speed.threads} threads             ${perSecond(speed.exact)}`);
  console.log(`  exact, one thread             ${perSecond(speed.exactOneThread)}`);
  console.log(
    `  the papers' algorithm, one thread ${perSecond(speed.original)} ` +
      `(the quadrature form is ${(speed.exactOneThread / speed.original).toFixed(1)}x faster)`,
  );
  console.log(`  fast, ${speed.threads} threads              ${perSecond(speed.fast)}`);
  console.log(`  scoring, ${speed.threads} threads           ${perSecond(speed.scoring)}`);

  const train = await generated('pipeline-train-50k.csv', 50_000, 11);
  const score1M = await generated('pipeline-score-1M.csv', 1_000_000, 12);
  const score3M = await generated('pipeline-score-3M.csv', 3_000_000, 13);
  const models = resolve(BENCH_DIR, 'explain-models');
  rmSync(models, { recursive: true, force: true });
  churn(trainArgs(train, models));
  const courseModels = resolve(BENCH_DIR, 'explain-course-models');
  rmSync(courseModels, { recursive: true, force: true });
  churn(trainArgs(course.train, courseModels));
  const predict = (data: string, registry: string, out: string, extra: string[] = []) =>
    churn([
      'predict',
      '--data',
      data,
      '--models-dir',
      registry,
      '--out',
      resolve(BENCH_DIR, out),
      ...extra,
    ]);
  const fast = ['--explain', '3', '--explain-method', 'fast'];

  console.log(
    '\nchurn predict with and without --explain 3, 1M rows (100 trees grown on 50k rows):',
  );
  const plain: Measured[] = [];
  const explained: Measured[] = [];
  // Alternated, so the machine's drift falls on both alike.
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? [false, true] : [true, false];
    for (const explain of order) {
      if (explain) explained.push(predict(score1M, models, 'explained-1M.csv', fast));
      else plain.push(predict(score1M, models, 'plain-1M.csv'));
    }
  }
  const three = predict(score3M, models, 'explained-3M.csv', fast);
  const coursePlain: Measured[] = [];
  const courseExact: Measured[] = [];
  for (let run = 0; run < RUNS; run++) {
    coursePlain.push(predict(course.score[0], courseModels, 'course-plain.csv'));
    courseExact.push(
      predict(course.score[0], courseModels, 'course-exact.csv', ['--explain', '3']),
    );
  }
  const p = summarize(plain);
  const e = summarize(explained);
  line('churn predict, 1M rows', p, RUNS);
  line('churn predict --explain 3 (fast), 1M rows', e, RUNS);
  line('churn predict --explain 3 (fast), 3M rows', three, 1);
  line(`churn predict, ${course.name} (2000 rows)`, summarize(coursePlain), RUNS);
  line(`churn predict --explain 3 (exact), ${course.name}`, summarize(courseExact), RUNS);

  console.log('\nTargets:');
  check(
    'fast --explain 3 on 1M rows at most 1.5x plain predict',
    e.seconds <= 1.5 * p.seconds,
    `${e.seconds.toFixed(2)} s vs ${p.seconds.toFixed(2)} s (${(e.seconds / p.seconds).toFixed(2)}x)`,
  );
  check(
    'memory flat: under 300 MB at 1M and 3M rows',
    e.peakMb < 300 && three.peakMb < 300,
    `${e.peakMb.toFixed(0)} MB and ${three.peakMb.toFixed(0)} MB`,
  );
  check(
    `exact TreeSHAP on the course model at least 1,000 rows/s (aim 3,000)`,
    speed.exact >= 1000,
    perSecond(speed.exact),
  );
}
