/**
 * Scores a large batch on the calling thread and worker threads, in blocks of rows. Each row's
 * trees are summed in tree order whoever scores it, so the probabilities are the same, bit for
 * bit, as scoring on one thread.
 */
import { shareArray, shareWork } from './pool.js';
import { predictRange, type FlatForest } from './predictor.js';

/** Below this many row-tree visits, starting workers costs more than it saves. */
const PARALLEL_WORK = 4_000_000;
const TASK_ROWS = 16_384;

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
  const out = new Float64Array(new SharedArrayBuffer(rows * Float64Array.BYTES_PER_ELEMENT));
  const tasks = Math.ceil(rows / TASK_ROWS);
  const range = (task: number) =>
    [task * TASK_ROWS, Math.min(rows, (task + 1) * TASK_ROWS)] as const;
  await shareWork(
    {
      count: tasks,
      setup: () => ({
        type: 'score-setup',
        forest: shareForest(forest),
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
  );
  return out;
}

const sharedForests = new WeakMap<FlatForest, FlatForest>();

/** A forest's arrays in shared memory, made once per forest. */
function shareForest(forest: FlatForest): FlatForest {
  let shared = sharedForests.get(forest);
  if (!shared) {
    shared = {
      ...forest,
      roots: shareArray(forest.roots),
      feature: shareArray(forest.feature),
      left: shareArray(forest.left),
      missingLeft: shareArray(forest.missingLeft),
      value: shareArray(forest.value),
      categoryBits: shareArray(forest.categoryBits),
      categorical: shareArray(forest.categorical),
      categories: shareArray(forest.categories),
    };
    sharedForests.set(forest, shared);
  }
  return shared;
}
