/**
 * Grows one tree on binned data. Rows are drawn with replacement as per-row counts (no copies of
 * the data); the node's rows are a slice of one index array, partitioned in place at each split;
 * histograms are built for the smaller child and derived for the larger by subtraction.
 */
import { Random } from '../common/random.js';
import type { BinMapper } from './binning.js';
import {
  buildHistogram,
  newHistogram,
  subtractInto,
  summarizeHistogram,
  summarizeRows,
  type HistogramLayout,
} from './histogram.js';
import {
  EPSILON,
  newCandidate,
  newSummary,
  resetCandidate,
  searchFeature,
  sideTable,
  type BinSummary,
  type NodeTotals,
  type SplitCandidate,
  type SplitRules,
} from './splitting.js';
import { TreeBuilder, type ChildLeaf, type Tree } from './tree.js';

/**
 * Nodes with at least this many rows keep a histogram of every feature, so that one child's can
 * be derived from its parent's by subtraction. It reads each row's features together (one cache
 * line) and only for the smaller child, which pays off on large nodes. Smaller nodes summarize
 * just the features drawn for them, straight from their rows.
 */
export const DENSE_NODE_ROWS = 1024;

/** Out-of-bag votes are summed in fixed point so the total is exact in any order. */
export const OOB_SCALE = 2 ** 32;

/** Everything the trees of one forest share: read-only, and shareable across threads. */
export interface GrowingProblem {
  rows: number;
  featureCount: number;
  bins: Uint8Array;
  mappers: BinMapper[];
  layout: HistogramLayout;
  labels: Uint8Array;
  /** Row weight times class weight. */
  baseWeight: Float64Array;
}

export interface TreeParams extends SplitRules {
  bootstrap: boolean;
  maxDepth: number;
  minSamplesSplit: number;
  featuresPerNode: number;
  /**
   * Nodes with at least this many rows keep histograms (DENSE_NODE_ROWS unless set): tests set 0
   * or Infinity to grow every node by one path, which must give the same tree.
   */
  denseNodeRows?: number;
}

/** Out-of-bag predictions summed over trees: sum / count is the OOB probability. */
export interface OobAccumulator {
  sum: Float64Array;
  count: Int32Array;
}

export interface GrownTree {
  tree: Tree;
  /** Impurity decrease per feature, normalized to sum to 1 (0s for a single leaf). */
  importances: Float64Array;
}

interface PendingNode {
  node: number;
  start: number;
  end: number;
  depth: number;
  totals: NodeTotals;
  histogram: Float64Array | null;
}

/** Buffers reused from tree to tree by one thread. */
export class Workspace {
  readonly counts: Int32Array;
  readonly indices: Int32Array;
  /** Label and weight of the row at each position of `indices`, moved with it: read in order. */
  readonly positionLabel: Uint8Array;
  readonly positionWeight: Float64Array;
  readonly features: Int32Array;
  /** Per feature: true when categorical. */
  readonly categorical: boolean[];
  private readonly freeHistograms: Float64Array[] = [];
  /**
   * The split of each node in bin space, for out-of-bag scoring on binned rows: the last bin
   * going left for a numeric split, the offset of its bin-to-side table for a categorical one.
   */
  binRule = new Int32Array(256);
  categorySides = new Uint8Array(0);
  private categorySidesUsed = 0;

  constructor(readonly problem: GrowingProblem) {
    this.counts = new Int32Array(problem.rows);
    this.indices = new Int32Array(problem.rows);
    this.positionLabel = new Uint8Array(problem.rows);
    this.positionWeight = new Float64Array(problem.rows);
    this.features = Int32Array.from({ length: problem.featureCount }, (_, f) => f);
    this.categorical = problem.mappers.map((mapper) => mapper.kind === 'categorical');
  }

  takeHistogram(): Float64Array {
    return this.freeHistograms.pop() ?? newHistogram(this.problem.layout);
  }

  release(histogram: Float64Array | null): void {
    if (histogram) this.freeHistograms.push(histogram);
  }

  /** Each tree starts from the same state, so a tree depends only on its seed. */
  startTree(): void {
    this.categorySidesUsed = 0;
    for (let f = 0; f < this.features.length; f++) this.features[f] = f;
  }

  recordBinRule(
    node: number,
    categorical: boolean,
    threshold: number,
    side: Uint8Array,
    binCount: number,
  ): void {
    if (node >= this.binRule.length) {
      const grown = new Int32Array(Math.max(node + 1, this.binRule.length * 2));
      grown.set(this.binRule);
      this.binRule = grown;
    }
    if (!categorical) {
      this.binRule[node] = threshold;
      return;
    }
    if (this.categorySidesUsed + binCount > this.categorySides.length) {
      const grown = new Uint8Array(Math.max(1024, (this.categorySidesUsed + binCount) * 2));
      grown.set(this.categorySides);
      this.categorySides = grown;
    }
    this.binRule[node] = this.categorySidesUsed;
    this.categorySides.set(side.subarray(0, binCount), this.categorySidesUsed);
    this.categorySidesUsed += binCount;
  }
}

/**
 * Grows one tree in four phases: draw the bootstrap sample (`drawSample`); then, node by node
 * from a stack, find the best split among the features drawn for it (`findSplit`), apply it
 * (`splitNode`: partition the rows, record the split and its children) and hand the children
 * their histograms (`childHistograms`); finally score the rows left out of the sample
 * (`accumulateOob`).
 */
export function growTree(
  workspace: Workspace,
  params: TreeParams,
  seed: number,
  oob: OobAccumulator | null,
): GrownTree {
  const rng = new Random(seed);
  workspace.startTree();
  const rootTotals = drawSample(workspace, params.bootstrap, rng);
  const growth: Growth = {
    workspace,
    params,
    rng,
    builder: new TreeBuilder(),
    importances: new Float64Array(workspace.problem.featureCount),
    candidate: newCandidate(),
    summary: newSummary(),
    side: new Uint8Array(256),
  };

  const root = growth.builder.addLeaf(leafValue(rootTotals), rootTotals.rows);
  const stack: PendingNode[] = [];
  if (splittable(params, rootTotals, 0)) {
    const inBag = rootTotals.rows;
    let histogram: Float64Array | null = null;
    if (dense(params, inBag)) {
      histogram = workspace.takeHistogram();
      buildNodeHistogram(workspace, histogram, 0, inBag);
    }
    stack.push({ node: root, start: 0, end: inBag, depth: 0, totals: rootTotals, histogram });
  }

  // A histogram no node needs any more goes back to the workspace at the top of the loop: one
  // call site that runs every time, so V8 does not compile the grower before it has seen the
  // call. (Release calls on the rarer paths deoptimized it twice in each process's first fit.)
  let unused: Float64Array | null = null;
  while (stack.length > 0) {
    workspace.release(unused);
    const pending = stack.pop()!;
    if (!findSplit(growth, pending)) {
      unused = pending.histogram;
      continue;
    }
    const [left, right] = splitNode(growth, pending);
    unused = childHistograms(growth, pending, left, right);
    if (right.grows) stack.push(right);
    if (left.grows) stack.push(left);
  }

  workspace.release(unused);
  const tree = growth.builder.finish();
  if (oob) accumulateOob(workspace, tree, oob);
  return { tree, importances: normalize(growth.importances) };
}

/** The state of one tree's growth, shared by its phases. */
interface Growth {
  workspace: Workspace;
  params: TreeParams;
  rng: Random;
  builder: TreeBuilder;
  importances: Float64Array;
  /** The best split of the node at hand, and its bin-to-side table once chosen. */
  candidate: SplitCandidate;
  summary: BinSummary;
  side: Uint8Array;
}

interface ChildNode extends PendingNode {
  /** Whether it will be split in turn. */
  grows: boolean;
}

function splittable(params: TreeParams, totals: NodeTotals, depth: number): boolean {
  return (
    depth < params.maxDepth &&
    totals.rows >= params.minSamplesSplit &&
    totals.rows >= 2 * params.minSamplesLeaf &&
    totals.negative > EPSILON &&
    totals.positive > EPSILON
  );
}

function dense(params: TreeParams, rows: number): boolean {
  return rows >= (params.denseNodeRows ?? DENSE_NODE_ROWS);
}

/**
 * Draws the tree's rows with replacement as a count per row (every row once without bootstrap)
 * and lays the drawn rows out as the root's slice: indices, labels and weights by position.
 * Returns the root's totals.
 */
function drawSample(workspace: Workspace, bootstrap: boolean, rng: Random): NodeTotals {
  const { rows, labels, baseWeight } = workspace.problem;
  const { counts, indices, positionLabel, positionWeight } = workspace;
  if (bootstrap) {
    counts.fill(0);
    for (let draw = 0; draw < rows; draw++) counts[rng.int(rows)]++;
  } else {
    counts.fill(1);
  }
  let inBag = 0;
  const totals: NodeTotals = { negative: 0, positive: 0, rows: 0 };
  for (let row = 0; row < rows; row++) {
    if (counts[row] === 0) continue;
    const weight = counts[row] * baseWeight[row];
    positionLabel[inBag] = labels[row];
    positionWeight[inBag] = weight;
    indices[inBag++] = row;
    if (labels[row] === 1) totals.positive += weight;
    else totals.negative += weight;
  }
  totals.rows = inBag;
  return totals;
}

function buildNodeHistogram(
  workspace: Workspace,
  out: Float64Array,
  start: number,
  end: number,
): void {
  const { layout, bins } = workspace.problem;
  const { positionLabel, positionWeight, indices } = workspace;
  buildHistogram(out, layout, bins, positionLabel, positionWeight, indices, start, end);
}

/**
 * Draws features for the node without replacement and searches each, until `featuresPerNode`
 * non-constant ones are drawn and some valid split is found (as scikit-learn does). Leaves the
 * best in `growth.candidate`; returns whether there is one.
 */
function findSplit(growth: Growth, node: PendingNode): boolean {
  const { workspace, params, rng, candidate, summary } = growth;
  const { bins, featureCount, layout } = workspace.problem;
  const { features, categorical, positionLabel, positionWeight, indices } = workspace;
  const { start, end, totals, histogram } = node;
  resetCandidate(candidate);
  let drawn = 0;
  for (let j = 0; j < featureCount; j++) {
    const pick = j + rng.int(featureCount - j);
    const feature = features[pick];
    features[pick] = features[j];
    features[j] = feature;
    if (histogram) summarizeHistogram(histogram, layout, feature, summary);
    else
      summarizeRows(
        feature,
        bins,
        featureCount,
        positionLabel,
        positionWeight,
        indices,
        start,
        end,
        summary,
      );
    if (searchFeature(candidate, summary, feature, categorical[feature], totals, params)) drawn++;
    if (drawn >= params.featuresPerNode && candidate.found) break;
  }
  return candidate.found;
}

/**
 * Applies the node's best split: partitions its rows, records the split in bin space (for
 * out-of-bag scoring) and on raw values (in the tree), and adds the two children as leaves.
 */
function splitNode(growth: Growth, node: PendingNode): [ChildNode, ChildNode] {
  const { workspace, params, candidate, side, builder } = growth;
  const { layout, mappers } = workspace.problem;
  const { start, end, totals, depth } = node;
  const feature = candidate.feature;
  const binCount = layout.binCounts[feature];
  sideTable(candidate, binCount, totals, side);
  const mid = partition(workspace, start, end, feature, side);
  workspace.recordBinRule(node.node, candidate.categorical, candidate.threshold, side, binCount);
  growth.importances[feature] += candidate.gain;

  const leftTotals: NodeTotals = { ...candidate.left, rows: mid - start };
  const rightTotals: NodeTotals = {
    negative: totals.negative - leftTotals.negative,
    positive: totals.positive - leftTotals.positive,
    rows: end - mid,
  };
  const leftNode = recordSplit(
    builder,
    node.node,
    feature,
    mappers[feature],
    candidate.threshold,
    side,
    [
      { value: leafValue(leftTotals), cover: leftTotals.rows },
      { value: leafValue(rightTotals), cover: rightTotals.rows },
    ],
  );
  const child = (at: number, from: number, to: number, childTotals: NodeTotals): ChildNode => ({
    node: at,
    start: from,
    end: to,
    depth: depth + 1,
    totals: childTotals,
    histogram: null,
    grows: splittable(params, childTotals, depth + 1),
  });
  return [child(leftNode, start, mid, leftTotals), child(leftNode + 1, mid, end, rightTotals)];
}

/**
 * Gives the children the histograms they need: where the larger child grows and is dense, the
 * smaller child's histogram is built from its rows and the larger's is the parent's minus it,
 * in the parent's buffer. Returns the histogram no child needs, for the workspace.
 */
function childHistograms(
  growth: Growth,
  parent: PendingNode,
  left: ChildNode,
  right: ChildNode,
): Float64Array | null {
  const { workspace, params } = growth;
  const histogram = parent.histogram;
  const leftSmaller = left.end - left.start <= right.end - right.start;
  const smaller = leftSmaller ? left : right;
  const larger = leftSmaller ? right : left;
  if (!histogram || !larger.grows || !dense(params, larger.end - larger.start)) return histogram;
  const built = workspace.takeHistogram();
  buildNodeHistogram(workspace, built, smaller.start, smaller.end);
  subtractInto(histogram, built);
  larger.histogram = histogram;
  if (!smaller.grows) return built;
  smaller.histogram = built;
  return null;
}

function leafValue(totals: NodeTotals): number {
  const total = totals.negative + totals.positive;
  if (totals.positive <= EPSILON || total <= EPSILON) return 0;
  if (totals.negative <= EPSILON) return 1;
  return totals.positive / total;
}

/** Moves the rows going left to the front of indices[start..end); returns where the right begins. */
function partition(
  workspace: Workspace,
  start: number,
  end: number,
  feature: number,
  side: Uint8Array,
): number {
  const { indices, positionLabel, positionWeight } = workspace;
  const { bins, featureCount } = workspace.problem;
  let i = start;
  let j = end - 1;
  while (i <= j) {
    if (side[bins[indices[i] * featureCount + feature]] === 1) {
      i++;
      continue;
    }
    const row = indices[i];
    indices[i] = indices[j];
    indices[j] = row;
    const label = positionLabel[i];
    positionLabel[i] = positionLabel[j];
    positionLabel[j] = label;
    const weight = positionWeight[i];
    positionWeight[i] = positionWeight[j];
    positionWeight[j] = weight;
    j--;
  }
  return i;
}

/**
 * Turns a split on bins into one on raw values (an edge value, or a bitset over codes) and adds
 * the children as leaves. Returns the left child.
 */
function recordSplit(
  builder: TreeBuilder,
  node: number,
  feature: number,
  mapper: BinMapper,
  threshold: number,
  side: Uint8Array,
  children: [ChildLeaf, ChildLeaf],
): number {
  const missingLeft = side[0] === 1;
  if (mapper.kind === 'numeric') {
    const edges = mapper.edges;
    const raw =
      threshold === 0 ? -Infinity : threshold > edges.length ? Infinity : edges[threshold - 1];
    return builder.splitNumeric(node, feature, raw, missingLeft, children);
  }
  const codesLeft = Array.from(mapper.binOfCode, (bin) => side[bin] === 1);
  return builder.splitCategorical(node, feature, codesLeft, missingLeft, children);
}

/** Scores the rows this tree never saw with the tree, in bin space. */
function accumulateOob(workspace: Workspace, tree: Tree, oob: OobAccumulator): void {
  const { rows, featureCount, bins } = workspace.problem;
  const { counts, binRule, categorySides, categorical } = workspace;
  for (let row = 0; row < rows; row++) {
    if (counts[row] !== 0) continue;
    let node = 0;
    let feature = tree.feature[0];
    while (feature >= 0) {
      const bin = bins[row * featureCount + feature];
      const goesLeft =
        bin === 0
          ? tree.missingLeft[node] === 1
          : categorical[feature]
            ? categorySides[binRule[node] + bin] === 1
            : bin <= binRule[node];
      node = goesLeft ? tree.left[node] : tree.left[node] + 1;
      feature = tree.feature[node];
    }
    oob.sum[row] += Math.round(tree.value[node] * OOB_SCALE);
    oob.count[row]++;
  }
}

function normalize(values: Float64Array): Float64Array {
  let total = 0;
  for (const value of values) total += value;
  if (total > 0) for (let i = 0; i < values.length; i++) values[i] /= total;
  return values;
}
