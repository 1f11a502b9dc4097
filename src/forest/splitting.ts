/**
 * The best split of one node on one feature, by Gini impurity, from the feature's occupied bins
 * in that node (a "bin summary"). Numeric features cut between bins and try missing values on
 * both sides; categorical features order their bins by positive rate and cut that order, which
 * is optimal for a binary target (Breiman et al., 1984). The missing bin takes part in that
 * order like any category.
 *
 * That ordering is optimal on the node's rows, which is what overfits on a column of many small
 * categories: a category of three rows that all churned goes to the top of the order by chance.
 * So the order is regularized, as LightGBM does: categories with fewer than `minCategoryRows`
 * rows in the node are pooled into one group that is ordered by its pooled rate, each rate is
 * shrunk toward the node's by `categorySmoothing` pseudo-rows, and the smaller side of a split
 * holds at most `maxCategorySplit` groups.
 */

/** Weights below this are rounding left over from histogram subtraction, not data. */
export const EPSILON = 1e-9;

export interface NodeTotals {
  negative: number;
  positive: number;
  rows: number;
}

/** The occupied bins of one feature in one node, in ascending bin order. */
export interface BinSummary {
  size: number;
  bin: Int32Array;
  negative: Float64Array;
  positive: Float64Array;
  rows: Float64Array;
}

export function newSummary(): BinSummary {
  return {
    size: 0,
    bin: new Int32Array(256),
    negative: new Float64Array(256),
    positive: new Float64Array(256),
    rows: new Float64Array(256),
  };
}

/** The best split found so far in a node. Mutated in place: the search allocates nothing. */
export interface SplitCandidate {
  found: boolean;
  feature: number;
  /** Weighted Gini impurity decrease (unnormalized): the importance it adds. */
  gain: number;
  categorical: boolean;
  /** Numeric: bins 1..threshold go left. */
  threshold: number;
  missingLeft: boolean;
  /** The node had rows with this feature missing; if not, the grower picks their side. */
  sawMissing: boolean;
  /** Categorical: the bins going left. */
  leftBins: Int32Array;
  leftCount: number;
  left: NodeTotals;
}

export function newCandidate(): SplitCandidate {
  return {
    found: false,
    feature: -1,
    gain: 0,
    categorical: false,
    threshold: 0,
    missingLeft: false,
    sawMissing: false,
    leftBins: new Int32Array(256),
    leftCount: 0,
    left: { negative: 0, positive: 0, rows: 0 },
  };
}

export function resetCandidate(candidate: SplitCandidate): void {
  candidate.found = false;
  candidate.gain = 0;
}

/** Σ over classes of weight² / total weight: larger is purer. Weighted Gini = W − purity. */
function purity(negative: number, positive: number): number {
  const total = negative + positive;
  return total > EPSILON ? (negative * negative + positive * positive) / total : 0;
}

/** What a split must respect, and how categories are ordered. */
export interface SplitRules {
  minSamplesLeaf: number;
  /** Categories with fewer rows than this in a node are ordered as one pooled group. */
  minCategoryRows: number;
  /** Pseudo-rows at the node's rate added to each group before ordering by rate. */
  categorySmoothing: number;
  /** Most groups on the smaller side of a categorical split. */
  maxCategorySplit: number;
}

interface Search {
  best: SplitCandidate;
  totals: NodeTotals;
  rules: SplitRules;
  parentPurity: number;
}

/** Scratch for ordering categories, reused across nodes. */
const order = new Int32Array(256);
const rates = new Float64Array(256);
/** Each summary entry's group, and the groups' totals. */
const groupOf = new Int32Array(256);
const groupNegative = new Float64Array(256);
const groupPositive = new Float64Array(256);
const groupRows = new Float64Array(256);

/**
 * Considers splitting on `feature`, whose bins in this node are `summary`, and updates `best`
 * when it finds a larger gain. Returns false when the feature is constant in the node.
 */
export function searchFeature(
  best: SplitCandidate,
  summary: BinSummary,
  feature: number,
  categorical: boolean,
  totals: NodeTotals,
  rules: SplitRules,
): boolean {
  if (summary.size < 2) return false;
  const search: Search = {
    best,
    totals,
    rules,
    parentPurity: purity(totals.negative, totals.positive),
  };
  if (categorical) searchCategorical(search, summary, feature);
  else searchNumeric(search, summary, feature);
  return true;
}

/** The gain of sending (negative, positive, rows) left, or -1 when invalid or not better. */
function gainOf(search: Search, negative: number, positive: number, rows: number): number {
  const { totals } = search;
  const minSamplesLeaf = search.rules.minSamplesLeaf;
  const rightRows = totals.rows - rows;
  if (rows < minSamplesLeaf || rightRows < minSamplesLeaf) return -1;
  const rightNegative = totals.negative - negative;
  const rightPositive = totals.positive - positive;
  if (negative + positive <= EPSILON || rightNegative + rightPositive <= EPSILON) return -1;
  const gain =
    purity(negative, positive) + purity(rightNegative, rightPositive) - search.parentPurity;
  return gain > EPSILON && (!search.best.found || gain > search.best.gain) ? gain : -1;
}

function take(
  search: Search,
  feature: number,
  gain: number,
  negative: number,
  positive: number,
  rows: number,
) {
  const best = search.best;
  best.found = true;
  best.feature = feature;
  best.gain = gain;
  best.left.negative = negative;
  best.left.positive = positive;
  best.left.rows = rows;
}

function searchNumeric(search: Search, summary: BinSummary, feature: number): void {
  const hasMissing = summary.bin[0] === 0;
  const first = hasMissing ? 1 : 0;
  const missingNegative = hasMissing ? summary.negative[0] : 0;
  const missingPositive = hasMissing ? summary.positive[0] : 0;
  const missingRows = hasMissing ? summary.rows[0] : 0;
  let negative = 0;
  let positive = 0;
  let rows = 0;
  // Cut after entry k: its bin and all lower go left; missing values right, then left.
  for (let k = first - 1; k < summary.size; k++) {
    let threshold = 0;
    if (k >= first) {
      negative += summary.negative[k];
      positive += summary.positive[k];
      rows += summary.rows[k];
      threshold = summary.bin[k];
    }
    const gainRight = gainOf(search, negative, positive, rows);
    if (gainRight > 0) {
      take(search, feature, gainRight, negative, positive, rows);
      setNumeric(search.best, threshold, false, hasMissing);
    }
    if (!hasMissing) continue;
    const leftNegative = negative + missingNegative;
    const leftPositive = positive + missingPositive;
    const leftRows = rows + missingRows;
    const gainLeft = gainOf(search, leftNegative, leftPositive, leftRows);
    if (gainLeft > 0) {
      take(search, feature, gainLeft, leftNegative, leftPositive, leftRows);
      setNumeric(search.best, threshold, true, true);
    }
  }
}

function setNumeric(
  best: SplitCandidate,
  threshold: number,
  missingLeft: boolean,
  sawMissing: boolean,
) {
  best.categorical = false;
  best.threshold = threshold;
  best.missingLeft = missingLeft;
  best.sawMissing = sawMissing;
}

function searchCategorical(search: Search, summary: BinSummary, feature: number): void {
  const size = summary.size;
  const { minCategoryRows, categorySmoothing, maxCategorySplit } = search.rules;
  const groups = groupCategories(summary, minCategoryRows);
  const { totals } = search;
  const nodeRate = totals.positive / (totals.negative + totals.positive);
  for (let g = 0; g < groups; g++) {
    const weight = groupNegative[g] + groupPositive[g];
    const smoothed = weight + categorySmoothing;
    rates[g] =
      smoothed > EPSILON ? (groupPositive[g] + categorySmoothing * nodeRate) / smoothed : 0;
    order[g] = g;
  }
  const sorted = order.subarray(0, groups).sort((a, b) => rates[a] - rates[b] || a - b);
  let negative = 0;
  let positive = 0;
  let rows = 0;
  for (let j = 0; j < groups - 1; j++) {
    const g = sorted[j];
    negative += groupNegative[g];
    positive += groupPositive[g];
    rows += groupRows[g];
    if (Math.min(j + 1, groups - j - 1) > maxCategorySplit) continue;
    const gain = gainOf(search, negative, positive, rows);
    if (gain > 0) {
      take(search, feature, gain, negative, positive, rows);
      const best = search.best;
      best.categorical = true;
      best.sawMissing = summary.bin[0] === 0;
      let count = 0;
      for (let i = 0; i <= j; i++) {
        for (let k = 0; k < size; k++) {
          if (groupOf[k] === sorted[i]) best.leftBins[count++] = summary.bin[k];
        }
      }
      best.leftCount = count;
    }
  }
}

/**
 * Puts each entry of the summary in a group: one of its own when it has `minRows` rows or more,
 * else the pooled group (numbered last) of the small ones. Returns the number of groups.
 */
function groupCategories(summary: BinSummary, minRows: number): number {
  let groups = 0;
  let pooled = -1;
  for (let k = 0; k < summary.size; k++) {
    if (summary.rows[k] >= minRows) {
      groupOf[k] = groups;
      groupNegative[groups] = summary.negative[k];
      groupPositive[groups] = summary.positive[k];
      groupRows[groups] = summary.rows[k];
      groups++;
    } else {
      groupOf[k] = -2; // pooled, numbered below
      pooled = k;
    }
  }
  if (pooled >= 0) {
    groupNegative[groups] = 0;
    groupPositive[groups] = 0;
    groupRows[groups] = 0;
    for (let k = 0; k < summary.size; k++) {
      if (groupOf[k] !== -2) continue;
      groupOf[k] = groups;
      groupNegative[groups] += summary.negative[k];
      groupPositive[groups] += summary.positive[k];
      groupRows[groups] += summary.rows[k];
    }
    groups++;
  }
  return groups;
}

/**
 * The split as a table from bin to side (1 = left), for partitioning rows. Where the node had no
 * missing values, later missing values follow the larger child.
 */
export function sideTable(
  best: SplitCandidate,
  binCount: number,
  totals: NodeTotals,
  out: Uint8Array,
): void {
  out.fill(0, 0, binCount);
  if (best.categorical) {
    for (let k = 0; k < best.leftCount; k++) out[best.leftBins[k]] = 1;
  } else {
    for (let b = 1; b <= best.threshold; b++) out[b] = 1;
    out[0] = best.missingLeft ? 1 : 0;
  }
  if (!best.sawMissing) out[0] = best.left.rows >= totals.rows - best.left.rows ? 1 : 0;
}
