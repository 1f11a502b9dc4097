/**
 * A worker thread of the forest: it grows trees or scores rows, one numbered task at a time.
 * The data arrives once per job in shared memory (`grow-setup`, `score-setup`); then tasks
 * arrive and their results go back, tree buffers transferred rather than copied.
 */
import { parentPort } from 'node:worker_threads';
import { collectGarbage } from '../common/memory.js';
import {
  growTree,
  Workspace,
  type GrowingProblem,
  type OobAccumulator,
  type TreeParams,
} from './grower.js';
import { rowExplainer, type ExplainMethod, type RowExplainer } from './explain.js';
import { mapArrays, type FlatForest } from './flat-forest.js';
import { predictRange } from './predictor.js';
import type { Tree } from './tree.js';

export type WorkerRequest =
  | { type: 'grow-setup'; problem: GrowingProblem; params: TreeParams; oob: boolean }
  | { type: 'grow'; task: number; seed: number }
  | { type: 'grow-finish' }
  | {
      type: 'score-setup';
      forest: FlatForest;
      forestId: number;
      /** Several batches of a scoring stream may be set up at once. */
      batch: number;
      columns: Float64Array[];
      out: Float64Array;
      /** For a stream that explains: how, and where each row's contributions go. */
      explain: ExplainMethod | null;
      contributions: Float64Array | null;
    }
  | { type: 'score'; task: number; batch: number; start: number; end: number }
  | { type: 'score-forget'; batch: number };

export type WorkerReply =
  | { type: 'tree'; task: number; tree: Tree; importances: Float64Array }
  | { type: 'oob'; oob: OobAccumulator | null }
  | { type: 'scored'; task: number };

let growing: { workspace: Workspace; params: TreeParams; oob: OobAccumulator | null } | null = null;
const scoring = new Map<
  number,
  {
    forest: FlatForest;
    columns: Float64Array[];
    out: Float64Array;
    explainer: RowExplainer | null;
    contributions: Float64Array | null;
  }
>();
/** The last forest scored, copied out of shared memory once for all its batches. */
let privateForest: { id: number; forest: FlatForest } | null = null;
let forgotten = 0;
const COLLECT_EVERY_BATCHES = 4;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

parentPort?.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'grow-setup': {
      const rows = request.problem.rows;
      growing = {
        workspace: new Workspace(privateCopy(request.problem)),
        params: request.params,
        oob: request.oob ? { sum: new Float64Array(rows), count: new Int32Array(rows) } : null,
      };
      break;
    }
    case 'grow': {
      const { workspace, params, oob } = growing!;
      const { tree, importances } = growTree(workspace, params, request.seed, oob);
      const buffers = [...Object.values(tree), importances].map(
        (array) => (array as Float64Array).buffer as ArrayBuffer,
      );
      reply({ type: 'tree', task: request.task, tree, importances }, buffers);
      break;
    }
    case 'grow-finish': {
      const oob = growing?.oob ?? null;
      growing = null;
      reply(
        { type: 'oob', oob },
        oob ? [oob.sum.buffer as ArrayBuffer, oob.count.buffer as ArrayBuffer] : [],
      );
      break;
    }
    case 'score-setup': {
      if (privateForest?.id !== request.forestId) {
        privateForest = { id: request.forestId, forest: privateForestCopy(request.forest) };
      }
      const forest = privateForest.forest;
      scoring.set(request.batch, {
        forest,
        columns: request.columns,
        out: request.out,
        explainer: request.explain ? rowExplainer(forest, request.explain) : null,
        contributions: request.contributions,
      });
      break;
    }
    case 'score': {
      const { forest, columns, out, explainer, contributions } = scoring.get(request.batch)!;
      if (explainer) explainer.explain(columns, request.start, request.end, out, contributions!);
      else predictRange(forest, columns, request.start, request.end, out);
      reply({ type: 'scored', task: request.task });
      break;
    }
    case 'score-forget':
      scoring.delete(request.batch);
      // Each streamed batch arrives in new shared buffers, which only this thread's collector can
      // release on its side; this thread makes too little garbage to collect on its own.
      if (++forgotten % COLLECT_EVERY_BATCHES === 0) collectGarbage();
      break;
  }
});

/**
 * V8 optimizes reads from typed arrays over a SharedArrayBuffer less than reads from ordinary
 * ones (measured: about 1.5x slower tree growth), so each worker grows from its own copy. The
 * shared buffer still spares the calling thread from serializing the data once per worker.
 */
function privateCopy(problem: GrowingProblem): GrowingProblem {
  return {
    ...problem,
    bins: new Uint8Array(problem.bins),
    labels: new Uint8Array(problem.labels),
    baseWeight: new Float64Array(problem.baseWeight),
  };
}

function privateForestCopy(forest: FlatForest): FlatForest {
  return mapArrays(forest, (array) => array.slice() as typeof array);
}
