/**
 * `npm run bench -- serve`: `churn serve` against FastAPI + uvicorn + scikit-learn
 * (bench/serve_fastapi.py) serving a forest grown the same way on the same file (100 trees, the
 * course data, or data/train.csv without it), side by side in one run. Each server is its own
 * process; the load comes from this one (autocannon, keep-alive connections), alternating the
 * contestants round by round so the noise of a shared machine falls on both alike.
 *
 * Two loads: single customers (10 connections), and batches of 1,000 customers (2 connections).
 * Per round: requests per second, customers per second, latency percentiles, and the server's
 * CPU time per request, which a busy machine disturbs less than throughput. The figures are
 * medians over the rounds (BENCH_SERVE_ROUNDS, 3 by default; BENCH_SERVE_SECONDS per load, 10).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { customerBodies, loadTest, type LoadTestResult } from '../scripts/load-test.js';
import { BENCH_DIR } from './datasets.js';
import { markdownTable } from './table.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(here, '..', '..', '..');
const CHURN_BIN = join(ROOT, 'bin', 'churn.js');
const FASTAPI = join(ROOT, 'bench', 'serve_fastapi.py');
const PYTHON = '/usr/bin/python3';
const SHARED = join(ROOT, '..', 'shared', 'data', 'bank-churn');

interface Server {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface Load {
  name: string;
  batch: number;
  connections: number;
}

const LOADS: Load[] = [
  { name: 'single customers', batch: 1, connections: 10 },
  { name: 'batches of 1,000', batch: 1000, connections: 2 },
];

interface Measured extends LoadTestResult {
  /** Server CPU seconds per request, in milliseconds. */
  cpuMs: number;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

async function waitReady(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    const status = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready within 180 s`);
    await new Promise((wait) => setTimeout(wait, 250));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((stopped) => {
      if (child.exitCode !== null) return stopped();
      child.once('exit', () => stopped());
      child.kill('SIGTERM');
    });
}

async function startChurn(train: string, models: string): Promise<Server> {
  rmSync(models, { recursive: true, force: true });
  const trained = spawnSync(
    process.execPath,
    [CHURN_BIN, 'train', '--data', train, '--target', 'saiu', '--id', 'id_cliente'].concat([
      '--models-dir',
      models,
      '--trees',
      '100',
      '--quiet',
      '--log-dir',
      resolve(BENCH_DIR, 'logs'),
    ]),
    { cwd: BENCH_DIR, encoding: 'utf8' },
  );
  if (trained.status !== 0) throw new Error(`churn train failed: ${trained.stderr}`);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CHURN_BIN, 'serve', '--port', String(port), '--models-dir', models, '--quiet'],
    {
      cwd: BENCH_DIR,
      stdio: 'ignore',
      env: { ...process.env, CHURN_LOG_DIR: resolve(BENCH_DIR, 'logs') },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child, 'churn serve');
  return { name: 'churn serve', url, pid: child.pid!, stop: stopper(child) };
}

async function startFastapi(train: string): Promise<Server | string> {
  if (!existsSync(PYTHON)) return `${PYTHON} is absent`;
  const check = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, sklearn'], { encoding: 'utf8' });
  if (check.status !== 0) {
    return 'needs python3-fastapi, uvicorn and python3-sklearn (Debian)';
  }
  const port = await freePort();
  const child = spawn(PYTHON, [FASTAPI, train, String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child, 'FastAPI + uvicorn');
  return { name: 'FastAPI + uvicorn + scikit-learn', url, pid: child.pid!, stop: stopper(child) };
}

/** Which of uvicorn's optional speed-ups are installed: it picks them when they are. */
function uvicornFlavour(): string {
  const has = (module: string) =>
    spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
  return `${has('uvloop') ? 'uvloop' : 'asyncio'} + ${has('httptools') ? 'httptools' : 'h11'}`;
}

async function measure(
  server: Server,
  load: Load,
  bodies: string[],
  seconds: number,
): Promise<Measured> {
  const before = cpuSeconds(server.pid);
  const result = await loadTest({
    url: server.url,
    bodies,
    connections: load.connections,
    duration: seconds,
  });
  const cpuMs = ((cpuSeconds(server.pid) - before) / Math.max(1, result.requests)) * 1000;
  return { ...result, cpuMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function benchServe(): Promise<void> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const course = existsSync(join(SHARED, 'dados_treino.csv'));
  const train = course ? join(SHARED, 'dados_treino.csv') : join(ROOT, 'data', 'train.csv');
  const scored = course ? join(SHARED, 'dados_novos_1.csv') : join(ROOT, 'data', 'new_batch_1.csv');
  const rounds = Number(process.env.BENCH_SERVE_ROUNDS ?? 3);
  const seconds = Number(process.env.BENCH_SERVE_SECONDS ?? 10);
  console.log(
    `\nchurn serve against FastAPI + uvicorn + scikit-learn, 100 trees grown on ${
      course
        ? 'the course data (dados_treino.csv)'
        : 'data/train.csv (no ../shared: not the course data)'
    }, customers of ${scored.split('/').at(-1)}:`,
  );
  const load = loadavg();
  const ours = await startChurn(train, resolve(BENCH_DIR, 'serve-models'));
  const theirs = await startFastapi(train).catch((error: Error) => error.message);
  try {
    const contestants = typeof theirs === 'string' ? [ours] : [ours, theirs];
    if (typeof theirs === 'string') console.log(`  FastAPI contestant skipped: ${theirs}`);
    const results = new Map<string, Measured[]>();
    for (const scenario of LOADS) {
      const bodies = customerBodies(scored, scenario.batch);
      // A short warm-up: the JIT, the connection pools, Python's first imports.
      for (const server of contestants) {
        await loadTest({ url: server.url, bodies, connections: scenario.connections, duration: 2 });
      }
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? contestants : [...contestants].reverse();
        for (const server of order) {
          const key = `${server.name}|${scenario.name}`;
          const measured = await measure(server, scenario, bodies, seconds);
          results.set(key, [...(results.get(key) ?? []), measured]);
          console.log(
            `  round ${round + 1} ${scenario.name.padEnd(17)} ${server.name.padEnd(33)} ` +
              `${measured.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${measured.latency.p99.toFixed(2)} ms` +
              (measured.ok === measured.requests && measured.errors === 0 ? '' : '  (failures!)'),
          );
        }
      }
    }
    printSummary(results, contestants, rounds);
    printTargets(results, contestants);
    console.log(
      `\n  conditions: ${cpus().length} cores, load average ${load[0].toFixed(1)} at the start and ` +
        `${loadavg()[0].toFixed(1)} at the end (other work shares the cores: compare the ratios, ` +
        `not the absolute figures); Node ${process.version}` +
        (typeof theirs === 'string' ? '' : `; uvicorn on ${uvicornFlavour()}, one worker`) +
        `; ${rounds} rounds of ${seconds} s per load and contestant, medians shown`,
    );
  } finally {
    await ours.stop();
    if (typeof theirs !== 'string') await theirs.stop();
  }
}

function summary(runs: Measured[]) {
  return {
    rps: median(runs.map((r) => r.requestsPerSecond)),
    p50: median(runs.map((r) => r.latency.p50)),
    p99: median(runs.map((r) => r.latency.p99)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    failures: runs.reduce((sum, r) => sum + (r.requests - r.ok) + r.errors, 0),
  };
}

function printSummary(
  results: Map<string, Measured[]>,
  contestants: Server[],
  rounds: number,
): void {
  const header = [
    'load',
    'server',
    'req/s',
    'customers/s',
    'p50 ms',
    'p99 ms',
    'CPU ms/request',
    'failures',
  ];
  const lines: string[][] = [];
  for (const scenario of LOADS) {
    for (const server of contestants) {
      const runs = results.get(`${server.name}|${scenario.name}`)!;
      const s = summary(runs);
      lines.push([
        scenario.name,
        server.name,
        s.rps.toFixed(0),
        (s.rps * scenario.batch).toFixed(0),
        s.p50.toFixed(2),
        s.p99.toFixed(2),
        s.cpuMs.toFixed(3),
        String(s.failures),
      ]);
    }
  }
  console.log(`\n  medians of ${rounds} rounds:`);
  console.log(markdownTable(header, lines));
}

function printTargets(results: Map<string, Measured[]>, contestants: Server[]): void {
  if (contestants.length < 2) return;
  const [ours, theirs] = contestants;
  const of = (server: Server, load: Load) => summary(results.get(`${server.name}|${load.name}`)!);
  const check = (label: string, ok: boolean, figure: string) =>
    console.log(`  ${ok ? '✓' : '✗'} ${label}: ${figure}`);
  const [single, batch] = LOADS;
  const a = of(ours, single);
  const b = of(theirs, single);
  console.log('\nTargets:');
  check(
    'single customers over keep-alive: at least 5x the throughput',
    a.rps >= 5 * b.rps,
    `${a.rps.toFixed(0)} vs ${b.rps.toFixed(0)} req/s (${(a.rps / b.rps).toFixed(1)}x)`,
  );
  check(
    'single customers: a lower P99 latency',
    a.p99 < b.p99,
    `${a.p99.toFixed(2)} vs ${b.p99.toFixed(2)} ms (${(b.p99 / a.p99).toFixed(1)}x lower)`,
  );
  const c = of(ours, batch);
  const d = of(theirs, batch);
  check(
    'batches of 1,000: at least 2x the customers per second',
    c.rps >= 2 * d.rps,
    `${(c.rps * batch.batch).toFixed(0)} vs ${(d.rps * batch.batch).toFixed(0)} customers/s (${(c.rps / d.rps).toFixed(1)}x)`,
  );
  console.log(
    `  (server CPU per request: single ${a.cpuMs.toFixed(3)} vs ${b.cpuMs.toFixed(3)} ms, ` +
      `${(b.cpuMs / a.cpuMs).toFixed(1)}x less; batch ${c.cpuMs.toFixed(2)} vs ${d.cpuMs.toFixed(2)} ms, ` +
      `${(d.cpuMs / c.cpuMs).toFixed(1)}x less)`,
  );
}
