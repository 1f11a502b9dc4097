/**
 * Grows a forest's trees on several threads. Tree i always uses seed i of the forest, whichever
 * thread grows it, and trees are collected by number, so the forest is the same for any thread
 * count. Out-of-bag sums are exact integers, so adding the threads' parts in any order agrees too.
 *
 * Workers are kept between forests in one process (their compiled code stays warm) and never
 * keep the process alive while idle.
 */
import { Worker } from 'node:worker_threads';
import {
  growTree,
  Workspace,
  type GrowingProblem,
  type OobAccumulator,
  type TreeParams,
} from './grower.js';
import type { Tree } from './tree.js';
import type { WorkerReply, WorkerRequest } from './tree-worker.js';
import { startWorker } from './worker-script.js';

export interface GrowRequest {
  problem: GrowingProblem;
  params: TreeParams;
  seeds: number[];
  threads: number;
  oob: boolean;
  onTree?: (done: number, total: number) => void;
}

export interface GrownForest {
  trees: Tree[];
  importances: Float64Array[];
  oob: OobAccumulator | null;
}

export async function growTrees(request: GrowRequest): Promise<GrownForest> {
  const threads = Math.max(1, Math.min(request.threads, request.seeds.length));
  return threads === 1 ? growHere(request) : growOnWorkers(request, threads);
}

function newOob(rows: number): OobAccumulator {
  return { sum: new Float64Array(rows), count: new Int32Array(rows) };
}

async function growHere(request: GrowRequest): Promise<GrownForest> {
  const workspace = new Workspace(request.problem);
  const oob = request.oob ? newOob(request.problem.rows) : null;
  const trees: Tree[] = [];
  const importances: Float64Array[] = [];
  for (let i = 0; i < request.seeds.length; i++) {
    const grown = growTree(workspace, request.params, request.seeds[i], oob);
    trees.push(grown.tree);
    importances.push(grown.importances);
    request.onTree?.(i + 1, request.seeds.length);
  }
  return { trees, importances, oob };
}

/** In shared memory, the problem's arrays reach every worker without a copy. */
export function shareArray<T extends Uint8Array | Float64Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const shared = new (array.constructor as { new (buffer: SharedArrayBuffer): T })(
    new SharedArrayBuffer(array.byteLength),
  );
  shared.set(array as never);
  return shared;
}

const idleWorkers: Worker[] = [];

function takeWorkers(count: number): Worker[] {
  const workers = idleWorkers.splice(0, count);
  while (workers.length < count) workers.push(startWorker('tree-worker'));
  for (const worker of workers) worker.ref();
  return workers;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- node:events listeners take any arguments
type Listeners = Array<[event: string, listener: (...args: any[]) => void]>;

function returnWorkers(workers: Worker[], listeners: Map<Worker, Listeners>): void {
  for (const worker of workers) {
    for (const [event, listener] of listeners.get(worker) ?? []) worker.off(event, listener);
    worker.unref();
    idleWorkers.push(worker);
  }
}

async function growOnWorkers(request: GrowRequest, threads: number): Promise<GrownForest> {
  const { seeds } = request;
  const problem: GrowingProblem = {
    ...request.problem,
    bins: shareArray(request.problem.bins),
    labels: shareArray(request.problem.labels),
    baseWeight: shareArray(request.problem.baseWeight),
  };
  const workers = takeWorkers(threads);
  const trees: Tree[] = new Array(seeds.length);
  const importances: Float64Array[] = new Array(seeds.length);
  const oob = request.oob ? newOob(problem.rows) : null;
  let next = 0;
  let done = 0;
  let healthy = true;
  const listeners = new Map<Worker, Listeners>();

  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      const told = new Set<Worker>();
      const fail = (error: Error) => {
        healthy = false;
        reject(error);
      };
      const dispatch = (worker: Worker) => {
        if (next < seeds.length) {
          post(worker, { type: 'grow', index: next, seed: seeds[next] });
          next++;
        } else if (!told.has(worker)) {
          // Messages are handled in order: the worker answers after any tree still in flight.
          told.add(worker);
          post(worker, { type: 'finish' });
        }
      };
      for (const worker of workers) {
        const onExit = (code: number) => fail(new Error(`a tree worker stopped with code ${code}`));
        const onMessage = (reply: WorkerReply) => {
          if (reply.type === 'tree') {
            trees[reply.index] = reply.tree;
            importances[reply.index] = reply.importances;
            request.onTree?.(++done, seeds.length);
            dispatch(worker);
            return;
          }
          if (oob && reply.oob) {
            for (let row = 0; row < problem.rows; row++) {
              oob.sum[row] += reply.oob.sum[row];
              oob.count[row] += reply.oob.count[row];
            }
          }
          if (++finished === workers.length) resolve();
        };
        listeners.set(worker, [
          ['error', fail],
          ['exit', onExit],
          ['message', onMessage],
        ]);
        for (const [event, listener] of listeners.get(worker)!) worker.on(event, listener);
        post(worker, { type: 'init', problem, params: request.params, oob: request.oob });
        // Two trees in flight per worker, so none waits on the main thread between trees.
        dispatch(worker);
        dispatch(worker);
      }
    });
  } finally {
    if (healthy) returnWorkers(workers, listeners);
    else await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return { trees, importances, oob };
}

function post(worker: Worker, message: WorkerRequest): void {
  worker.postMessage(message);
}
