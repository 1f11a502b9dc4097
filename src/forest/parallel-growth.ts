/**
 * Grows a forest's trees on the calling thread and worker threads. Tree i always uses seed i of
 * the forest, whichever thread grows it, and trees are collected by number, so the forest is the
 * same for any thread count. Out-of-bag sums are exact integers, so adding the threads' parts in
 * any order agrees too. The calling thread starts at once while the workers start and compile, so
 * a small forest is not held up by workers it does not need.
 */
import {
  growTree,
  Workspace,
  type GrowingProblem,
  type OobAccumulator,
  type TreeParams,
} from './grower.js';
import { shareArray, shareWork } from './pool.js';
import type { Tree } from './tree.js';

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
  const { seeds, problem } = request;
  const trees: Tree[] = new Array(seeds.length);
  const importances: Float64Array[] = new Array(seeds.length);
  const oob = request.oob
    ? { sum: new Float64Array(problem.rows), count: new Int32Array(problem.rows) }
    : null;
  let done = 0;
  const record = (task: number, tree: Tree, treeImportances: Float64Array) => {
    trees[task] = tree;
    importances[task] = treeImportances;
    request.onTree?.(++done, seeds.length);
  };
  let workspace: Workspace | null = null;

  await shareWork(
    {
      count: seeds.length,
      setup: () => ({
        type: 'grow-setup',
        problem: {
          ...problem,
          bins: shareArray(problem.bins),
          labels: shareArray(problem.labels),
          baseWeight: shareArray(problem.baseWeight),
        },
        params: request.params,
        oob: request.oob,
      }),
      runHere(task) {
        workspace ??= new Workspace(problem);
        const grown = growTree(workspace, request.params, seeds[task], oob);
        record(task, grown.tree, grown.importances);
      },
      request: (task) => ({ type: 'grow', task, seed: seeds[task] }),
      done(reply) {
        if (reply.type === 'tree') record(reply.task, reply.tree, reply.importances);
      },
      finish: { type: 'grow-finish' },
      finished(reply) {
        if (reply.type !== 'oob' || !oob || !reply.oob) return;
        for (let row = 0; row < problem.rows; row++) {
          oob.sum[row] += reply.oob.sum[row];
          oob.count[row] += reply.oob.count[row];
        }
      },
    },
    request.threads,
  );
  return { trees, importances, oob };
}
