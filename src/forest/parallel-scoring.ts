/**
 * Scores a large batch on the calling thread and worker threads, in blocks of rows. Each row's
 * trees are summed in tree order whoever scores it, so the probabilities are the same, bit for
 * bit, as scoring on one thread.
 */
import { shareArray, shareWork } from './pool.js';
import { predictRange, type FlatForest } from './predictor.js';

/** Below this many row-tree visits, starting workers costs more than it saves. */
const PARALLEL_WORK = 4_000_000;
/** Tasks are a few per thread, so all share a batch, and no smaller than a scoring block. */
const TASKS_PER_THREAD = 4;
const MIN_TASK_ROWS = 2048;

export async function scoreRows(
  forest: FlatForest,
  columns: Float64Array[],
  rows: number,
  threads: number,
  offload: { joinWhen?: Promise<void> } | null = null,
): Promise<Float64Array> {
  if (!offload && (threads <= 1 || rows * forest.trees < PARALLEL_WORK)) {
    const out = new Float64Array(rows);
    predictRange(forest, columns, 0, rows, out);
    return out;
  }
  const out = new Float64Array(new SharedArrayBuffer(rows * Float64Array.BYTES_PER_ELEMENT));
  const taskRows = Math.max(MIN_TASK_ROWS, Math.ceil(rows / (threads * TASKS_PER_THREAD)));
  const tasks = Math.ceil(rows / taskRows);
  const range = (task: number) => [task * taskRows, Math.min(rows, (task + 1) * taskRows)] as const;
  await shareWork(
    {
      count: tasks,
      setup: () => ({
        type: 'score-setup',
        ...sharedForest(forest),
        columns: columns.map(shareArray),
        out,
      }),
      runHere(task) {
        const [start, end] = range(task);
        predictRange(forest, columns, start, end, out);
      },
      request(task) {
        const [start, end] = range(task);
        return { type: 'score', task, start, end };
      },
      done() {},
    },
    threads,
    { offload: offload !== null, joinWhen: offload?.joinWhen },
  );
  return out;
}

const sharedForests = new WeakMap<FlatForest, { forest: FlatForest; forestId: number }>();
let forestsShared = 0;

/**
 * A forest's arrays in shared memory, made once per forest, with a number that lets a worker
 * keep its own copy of a forest between batches.
 */
export function sharedForest(forest: FlatForest): { forest: FlatForest; forestId: number } {
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
