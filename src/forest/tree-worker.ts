/**
 * A worker thread that grows trees. The binned data, labels and weights arrive once, in shared
 * memory; then tree numbers arrive one at a time and trees go back, their buffers transferred.
 */
import { parentPort } from 'node:worker_threads';
import {
  growTree,
  Workspace,
  type GrowingProblem,
  type OobAccumulator,
  type TreeParams,
} from './grower.js';

export type WorkerRequest =
  | { type: 'init'; problem: GrowingProblem; params: TreeParams; oob: boolean }
  | { type: 'grow'; index: number; seed: number }
  | { type: 'finish' };

export type WorkerReply =
  | { type: 'tree'; index: number; tree: import('./tree.js').Tree; importances: Float64Array }
  | { type: 'oob'; oob: OobAccumulator | null };

let workspace: Workspace | null = null;
let params: TreeParams | null = null;
let oob: OobAccumulator | null = null;

parentPort?.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'init':
      workspace = new Workspace(privateCopy(request.problem));
      params = request.params;
      oob = request.oob
        ? {
            sum: new Float64Array(request.problem.rows),
            count: new Int32Array(request.problem.rows),
          }
        : null;
      break;
    case 'grow': {
      const { tree, importances } = growTree(workspace!, params!, request.seed, oob);
      const reply: WorkerReply = { type: 'tree', index: request.index, tree, importances };
      const buffers = [...Object.values(tree), importances].map(
        (array) => (array as Float64Array).buffer as ArrayBuffer,
      );
      parentPort!.postMessage(reply, buffers);
      break;
    }
    case 'finish': {
      const reply: WorkerReply = { type: 'oob', oob };
      parentPort!.postMessage(
        reply,
        oob ? [oob.sum.buffer as ArrayBuffer, oob.count.buffer as ArrayBuffer] : [],
      );
      break;
    }
  }
});

/**
 * V8 optimizes reads from typed arrays over a SharedArrayBuffer less than reads from ordinary
 * ones (measured: about 1.5x slower tree growth), so each worker reads its own copy. The shared
 * buffer still spares the main thread from serializing the data once per worker.
 */
function privateCopy(problem: GrowingProblem): GrowingProblem {
  return {
    ...problem,
    bins: new Uint8Array(problem.bins),
    labels: new Uint8Array(problem.labels),
    baseWeight: new Float64Array(problem.baseWeight),
  };
}
