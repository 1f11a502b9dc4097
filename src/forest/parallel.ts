/**
 * Grows a forest's trees on several threads: the calling one and worker threads, all taking tree
 * numbers from one queue. Tree i always uses seed i of the forest, whichever thread grows it, and
 * trees are collected by number, so the forest is the same for any thread count. Out-of-bag sums
 * are exact integers, so adding the threads' parts in any order agrees too.
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

/**
 * Grows every tree: on the calling thread, helped by threads − 1 workers. The calling thread
 * starts at once while the workers start up and compile, so a small forest is not slowed by
 * workers it does not need, and a large one keeps every core busy.
 */
export async function growTrees(request: GrowRequest): Promise<GrownForest> {
  const { seeds } = request;
  const threads = Math.max(1, Math.min(request.threads, seeds.length));
  const trees: Tree[] = new Array(seeds.length);
  const importances: Float64Array[] = new Array(seeds.length);
  const oob = request.oob ? newOob(request.problem.rows) : null;
  const queue = { next: 0, done: 0 };
  const record = (index: number, tree: Tree, treeImportances: Float64Array) => {
    trees[index] = tree;
    importances[index] = treeImportances;
    request.onTree?.(++queue.done, seeds.length);
  };
  const helpers = threads > 1 ? startHelpers(request, threads - 1, queue, record, oob) : null;
  try {
    const workspace = new Workspace(request.problem);
    while (queue.next < seeds.length && !helpers?.failed) {
      const index = queue.next++;
      const grown = growTree(workspace, request.params, seeds[index], oob);
      record(index, grown.tree, grown.importances);
      // Let the workers' finished trees in, and send them the next ones.
      if (helpers) await new Promise((resolve) => setImmediate(resolve));
    }
    await helpers?.finished;
  } finally {
    await helpers?.release();
  }
  return { trees, importances, oob };
}

function newOob(rows: number): OobAccumulator {
  return { sum: new Float64Array(rows), count: new Int32Array(rows) };
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

interface Helpers {
  /** Resolves once every worker has sent its last tree and its out-of-bag sums. */
  finished: Promise<void>;
  failed: boolean;
  /** Returns healthy workers to the idle pool, ends broken ones. */
  release(): Promise<void>;
}

function startHelpers(
  request: GrowRequest,
  count: number,
  queue: { next: number },
  record: (index: number, tree: Tree, importances: Float64Array) => void,
  oob: OobAccumulator | null,
): Helpers {
  const { seeds } = request;
  const problem: GrowingProblem = {
    ...request.problem,
    bins: shareArray(request.problem.bins),
    labels: shareArray(request.problem.labels),
    baseWeight: shareArray(request.problem.baseWeight),
  };
  const workers = takeWorkers(count);
  const listeners = new Map<Worker, Listeners>();
  const helpers: Helpers = {
    finished: Promise.resolve(),
    failed: false,
    async release() {
      if (helpers.failed) await Promise.all(workers.map((worker) => worker.terminate()));
      else returnWorkers(workers, listeners);
    },
  };
  helpers.finished = new Promise<void>((resolve, reject) => {
    let finished = 0;
    const told = new Set<Worker>();
    const fail = (error: Error) => {
      helpers.failed = true;
      reject(error);
    };
    const dispatch = (worker: Worker) => {
      if (queue.next < seeds.length) {
        const index = queue.next++;
        post(worker, { type: 'grow', index, seed: seeds[index] });
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
          record(reply.index, reply.tree, reply.importances);
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
  // A failure is thrown where `finished` is awaited; until then it must not count as unhandled.
  helpers.finished.catch(() => undefined);
  return helpers;
}

function post(worker: Worker, message: WorkerRequest): void {
  worker.postMessage(message);
}
