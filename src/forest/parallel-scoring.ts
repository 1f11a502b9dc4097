/**
 * Scoring on the calling thread and worker threads, in blocks of rows. Each row's trees are
 * summed in tree order whoever scores it, so the probabilities are the same, bit for bit, as
 * scoring on one thread. A stream may also explain its rows (explain.ts): then each block's
 * contributions come back with its probabilities, computed by the same kernel on every thread.
 *
 * A stream scores batch after batch on the same workers without draining between batches: every
 * batch's blocks join one queue, the workers go on with the next batch while the last blocks of
 * the one before are still being scored, and the calling thread, between its own work, takes
 * blocks from the same queue. One large batch is a stream of one.
 */
import type { Worker } from 'node:worker_threads';
import { rowExplainer, type ExplainMethod, type RowExplainer } from './explain.js';
import type { WorkerReply } from './forest-worker.js';
import { borrowWorkers, listenTo, returnWorkers, shareArray } from './pool.js';
import { mapArrays, type FlatForest, type ForestArrayName } from './flat-forest.js';
import { predictRange } from './predictor.js';

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
  return (await streamOfOne(new ScoringStream(forest, threads - 1), columns, rows)).scores;
}

/** Scores and explains `rows` rows, on the calling thread and `threads` − 1 workers for large batches. */
export async function explainRows(
  forest: FlatForest,
  method: ExplainMethod,
  columns: Float64Array[],
  rows: number,
  threads: number,
): Promise<ScoredBatch & { contributions: Float64Array }> {
  const work = rows * forest.trees * (method === 'exact' ? EXACT_COST : 1);
  if (threads <= 1 || work < PARALLEL_WORK) {
    const scores = new Float64Array(rows);
    const contributions = new Float64Array(rows * forest.categorical.length);
    rowExplainer(forest, method).explain(columns, 0, rows, scores, contributions);
    return { scores, contributions };
  }
  const stream = new ScoringStream(forest, threads - 1, method);
  const batch = await streamOfOne(stream, columns, rows);
  return { scores: batch.scores, contributions: batch.contributions! };
}

/** Exact explanation costs about this many times scoring, per row and tree. */
const EXACT_COST = 100;

async function streamOfOne(
  stream: ScoringStream,
  columns: Float64Array[],
  rows: number,
): Promise<ScoredBatch> {
  try {
    const batch = stream.submit(columns, rows);
    await stream.helpUntil(batch);
    return await batch;
  } finally {
    await stream.close();
  }
}

export interface ScoredBatch {
  scores: Float64Array;
  /** For a stream that explains: row by row, one per feature. */
  contributions: Float64Array | null;
}

/** Rows per queued block: small enough that a batch's last blocks end soon after one another. */
const TASK_ROWS = 2048;
/** Exact explanation costs about EXACT_COST times as much per row: its blocks are smaller. */
const EXACT_TASK_ROWS = 128;
/** Blocks sent ahead to each worker, so none waits on the calling thread between blocks. */
const IN_FLIGHT = 2;

interface Batch {
  id: number;
  columns: Float64Array[];
  out: Float64Array;
  contributions: Float64Array | null;
  pending: number;
  resolve: (batch: ScoredBatch) => void;
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
  private readonly explainer: RowExplainer | null;
  private readonly taskRows: number;

  /** With a method, each batch's rows are explained as well as scored. */
  constructor(
    private readonly forest: FlatForest,
    workers: number,
    private readonly method: ExplainMethod | null = null,
  ) {
    // Made first: a forest that cannot explain is refused before any worker starts.
    this.explainer = method ? rowExplainer(forest, method) : null;
    this.taskRows = method === 'exact' ? EXACT_TASK_ROWS : TASK_ROWS;
    this.shared = sharedForest(forest, method !== null);
    this.workers = borrowWorkers(workers);
    for (const worker of this.workers) {
      this.inFlight.set(worker, 0);
      this.setUp.set(worker, new Set());
      this.stopListening.push(
        listenTo(worker, this.onMessage(worker), (error) => this.fail(error)),
      );
    }
  }

  /** Queues a batch; resolves with its probabilities (and contributions), in row order. */
  submit(columns: Float64Array[], rows: number): Promise<ScoredBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const shared = (length: number) =>
      new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
    const out = shared(rows);
    const contributions = this.method ? shared(rows * this.forest.categorical.length) : null;
    return new Promise<ScoredBatch>((resolve, reject) => {
      const batch: Batch = {
        id: this.nextBatch++,
        columns: columns.map(shareArray),
        out,
        contributions,
        pending: Math.ceil(rows / this.taskRows),
        resolve,
        reject,
      };
      if (batch.pending === 0) return resolve({ scores: out, contributions });
      this.batches.set(batch.id, batch);
      for (let start = 0; start < rows; start += this.taskRows) {
        this.queue.push({ batch, start, end: Math.min(rows, start + this.taskRows) });
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

  private runHere({ batch, start, end }: Task): void {
    if (this.explainer) {
      this.explainer.explain(batch.columns, start, end, batch.out, batch.contributions!);
    } else {
      predictRange(this.forest, batch.columns, start, end, batch.out);
    }
    this.finished(batch);
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
          explain: this.method,
          contributions: task.batch.contributions,
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
    batch.resolve({ scores: batch.out, contributions: batch.contributions });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const batch of this.batches.values()) batch.reject(error);
    this.batches.clear();
    this.queue.length = 0;
  }
}

const sharedForests = new WeakMap<FlatForest, Map<boolean, SharedForest>>();
let forestsShared = 0;

interface SharedForest {
  forest: FlatForest;
  forestId: number;
}

/**
 * A forest's arrays in shared memory, made once per forest, with a number that lets a worker
 * keep its own copy of a forest between batches. Scoring on the branch-free walk reads only the
 * roots, the leaf values and its own tables: workers that only score get no copy of the general
 * walk's arrays then, nor of the covers. Explaining needs every array.
 */
/** The arrays only the general walk reads, besides those every walk does. */
const GENERAL_WALK = new Set<ForestArrayName>(['feature', 'left', 'missingLeft', 'categoryBits']);

function sharedForest(forest: FlatForest, explaining: boolean): SharedForest {
  let copies = sharedForests.get(forest);
  if (!copies) sharedForests.set(forest, (copies = new Map()));
  let shared = copies.get(explaining);
  if (!shared) {
    const read = (name: ForestArrayName) =>
      name === 'cover' ? explaining : explaining || !forest.lockstep || !GENERAL_WALK.has(name);
    // An array a worker does not read is left empty.
    const arrays = mapArrays(forest, (array, name) =>
      read(name) ? shareArray(array) : (array.subarray(0, 0) as typeof array),
    );
    shared = { forest: arrays, forestId: ++forestsShared };
    copies.set(explaining, shared);
  }
  return shared;
}
