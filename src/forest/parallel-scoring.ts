/**
 * Scoring on the calling thread and worker threads, in blocks of rows. Each row's trees are
 * summed in tree order whoever scores it, so the probabilities are the same, bit for bit, as
 * scoring on one thread.
 *
 * A stream scores batch after batch on the same workers without draining between batches: every
 * batch's blocks join one queue, the workers go on with the next batch while the last blocks of
 * the one before are still being scored, and the calling thread, between its own work, takes
 * blocks from the same queue. One large batch is a stream of one.
 */
import type { Worker } from 'node:worker_threads';
import type { WorkerReply } from './forest-worker.js';
import { borrowWorkers, listenTo, returnWorkers, shareArray } from './pool.js';
import { predictRange, type FlatForest } from './predictor.js';

/** Below this many row-tree visits, starting workers costs more than it saves. */
const PARALLEL_WORK = 4_000_000;

/** Probabilities of `rows` rows, on the calling thread and `threads` − 1 workers for large batches. */
export async function scoreRows(
  forest: FlatForest,
  columns: Float64Array[],
  rows: number,
  threads: number,
): Promise<Float64Array> {
  if (threads <= 1 || rows * forest.trees < PARALLEL_WORK) {
    const out = new Float64Array(rows);
    predictRange(forest, columns, 0, rows, out);
    return out;
  }
  const stream = new ScoringStream(forest, threads - 1);
  try {
    const scores = stream.submit(columns, rows);
    await stream.helpUntil(scores);
    return await scores;
  } finally {
    await stream.close();
  }
}

/** Rows per queued block: small enough that a batch's last blocks end soon after one another. */
const TASK_ROWS = 2048;
/** Blocks sent ahead to each worker, so none waits on the calling thread between blocks. */
const IN_FLIGHT = 2;

interface Batch {
  id: number;
  columns: Float64Array[];
  out: Float64Array;
  pending: number;
  resolve: (scores: Float64Array) => void;
  reject: (error: Error) => void;
}

interface Task {
  batch: Batch;
  start: number;
  end: number;
}

export class ScoringStream {
  private readonly queue: Task[] = [];
  private readonly workers: Worker[];
  private readonly inFlight = new Map<Worker, number>();
  private readonly setUp = new Map<Worker, Set<number>>();
  private readonly batches = new Map<number, Batch>();
  private nextBatch = 0;
  private failure: Error | null = null;
  private readonly shared: ReturnType<typeof sharedForest>;
  private readonly stopListening: Array<() => void> = [];

  constructor(
    private readonly forest: FlatForest,
    workers: number,
  ) {
    this.shared = sharedForest(forest);
    this.workers = borrowWorkers(workers);
    for (const worker of this.workers) {
      this.inFlight.set(worker, 0);
      this.setUp.set(worker, new Set());
      this.stopListening.push(
        listenTo(worker, this.onMessage(worker), (error) => this.fail(error)),
      );
    }
  }

  /** Queues a batch; resolves with its probabilities, in row order. */
  submit(columns: Float64Array[], rows: number): Promise<Float64Array> {
    if (this.failure) return Promise.reject(this.failure);
    const out = new Float64Array(new SharedArrayBuffer(rows * Float64Array.BYTES_PER_ELEMENT));
    return new Promise<Float64Array>((resolve, reject) => {
      const batch: Batch = {
        id: this.nextBatch++,
        columns: columns.map(shareArray),
        out,
        pending: Math.ceil(rows / TASK_ROWS),
        resolve,
        reject,
      };
      if (batch.pending === 0) return resolve(out);
      this.batches.set(batch.id, batch);
      for (let start = 0; start < rows; start += TASK_ROWS) {
        this.queue.push({ batch, start, end: Math.min(rows, start + TASK_ROWS) });
      }
      for (const worker of this.workers) this.dispatch(worker);
    });
  }

  /**
   * Scores queued blocks on the calling thread until `until` settles, letting the workers' answers
   * in between blocks; waits without working once the queue is empty.
   */
  async helpUntil(until: Promise<unknown>): Promise<void> {
    let settled = false;
    void until.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setImmediate(resolve));
    while (!settled && this.queue.length > 0 && !this.failure) {
      this.runHere(this.queue.shift()!);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until;
  }

  /** Returns the workers to the pool (or ends them after a failure). */
  async close(): Promise<void> {
    for (const stop of this.stopListening) stop();
    await returnWorkers(this.workers, this.failure === null && this.batches.size === 0);
  }

  private runHere(task: Task): void {
    predictRange(this.forest, task.batch.columns, task.start, task.end, task.batch.out);
    this.finished(task.batch);
  }

  private dispatch(worker: Worker): void {
    while ((this.inFlight.get(worker) ?? 0) < IN_FLIGHT && this.queue.length > 0 && !this.failure) {
      const task = this.queue.shift()!;
      const known = this.setUp.get(worker)!;
      if (!known.has(task.batch.id)) {
        known.add(task.batch.id);
        worker.postMessage({
          type: 'score-setup',
          ...this.shared,
          batch: task.batch.id,
          columns: task.batch.columns,
          out: task.batch.out,
        });
      }
      this.inFlight.set(worker, (this.inFlight.get(worker) ?? 0) + 1);
      worker.postMessage({
        type: 'score',
        // The reply names only its task: the batch is what the stream needs to know of it.
        task: task.batch.id,
        batch: task.batch.id,
        start: task.start,
        end: task.end,
      });
    }
  }

  private onMessage(worker: Worker) {
    return (reply: WorkerReply) => {
      if (reply.type !== 'scored') return;
      this.inFlight.set(worker, (this.inFlight.get(worker) ?? 1) - 1);
      const batch = this.batches.get(reply.task);
      if (batch) this.finished(batch);
      this.dispatch(worker);
    };
  }

  private finished(batch: Batch): void {
    if (--batch.pending > 0) return;
    this.batches.delete(batch.id);
    for (const worker of this.workers) {
      if (this.setUp.get(worker)!.delete(batch.id)) {
        worker.postMessage({ type: 'score-forget', batch: batch.id });
      }
    }
    batch.resolve(batch.out);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const batch of this.batches.values()) batch.reject(error);
    this.batches.clear();
    this.queue.length = 0;
  }
}

const sharedForests = new WeakMap<FlatForest, { forest: FlatForest; forestId: number }>();
let forestsShared = 0;

/**
 * A forest's arrays in shared memory, made once per forest, with a number that lets a worker
 * keep its own copy of a forest between batches.
 */
function sharedForest(forest: FlatForest): { forest: FlatForest; forestId: number } {
  let shared = sharedForests.get(forest);
  if (!shared) {
    // The branch-free walk reads only the roots, the leaf values and its own tables: workers
    // get no copy of the general walk's arrays then.
    const walk = <T extends Int32Array | Uint8Array | Uint32Array>(array: T): T =>
      forest.lockstep ? (array.subarray(0, 0) as T) : shareArray(array);
    const arrays: FlatForest = {
      ...forest,
      roots: shareArray(forest.roots),
      feature: walk(forest.feature),
      left: walk(forest.left),
      missingLeft: walk(forest.missingLeft),
      value: shareArray(forest.value),
      categoryBits: walk(forest.categoryBits),
      cover: null, // scoring never reads it
      categorical: shareArray(forest.categorical),
      categories: shareArray(forest.categories),
      lockstep: forest.lockstep && {
        step: shareArray(forest.lockstep.step),
        next: shareArray(forest.lockstep.next),
        split: shareArray(forest.lockstep.split),
      },
    };
    shared = { forest: arrays, forestId: ++forestsShared };
    sharedForests.set(forest, shared);
  }
  return shared;
}
