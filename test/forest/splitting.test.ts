import { describe, expect, it } from 'vitest';
import {
  newCandidate,
  newSummary,
  searchFeature,
  sideTable,
  type BinSummary,
  type SplitRules,
} from '../../src/forest/splitting.js';

/** A summary from [bin, negative weight, positive weight, rows] entries, in bin order. */
function summaryOf(entries: Array<[number, number, number, number]>): BinSummary {
  const summary = newSummary();
  entries.forEach(([bin, negative, positive, rows], k) => {
    summary.bin[k] = bin;
    summary.negative[k] = negative;
    summary.positive[k] = positive;
    summary.rows[k] = rows;
  });
  summary.size = entries.length;
  return summary;
}

function totalsOf(entries: Array<[number, number, number, number]>) {
  return entries.reduce(
    (t, [, negative, positive, rows]) => ({
      negative: t.negative + negative,
      positive: t.positive + positive,
      rows: t.rows + rows,
    }),
    { negative: 0, positive: 0, rows: 0 },
  );
}

/** Σ weight² / W over both classes: the weighted Gini of a node is W minus it. */
const purity = (negative: number, positive: number) =>
  (negative * negative + positive * positive) / (negative + positive);

const plain: SplitRules = {
  minSamplesLeaf: 1,
  minCategoryRows: 1,
  categorySmoothing: 0,
  maxCategorySplit: 256,
};

function search(
  entries: Array<[number, number, number, number]>,
  categorical: boolean,
  rules: SplitRules = plain,
) {
  const candidate = newCandidate();
  const totals = totalsOf(entries);
  const searched = searchFeature(candidate, summaryOf(entries), 3, categorical, totals, rules);
  const side = new Uint8Array(256);
  if (candidate.found) sideTable(candidate, 256, totals, side);
  // Bin 0 (missing) is listed only where the node had missing values: elsewhere its side is the
  // larger child's, checked on its own.
  const hasMissing = entries.some(([bin]) => bin === 0);
  const leftBins = Array.from(side.keys()).filter(
    (bin) => side[bin] === 1 && (bin > 0 || hasMissing),
  );
  return { searched, candidate, totals, leftBins, missingSide: side[0] };
}

describe('numeric split search on hand-made summaries', () => {
  const bins: Array<[number, number, number, number]> = [
    [1, 5, 0, 5],
    [2, 4, 1, 5],
    [4, 1, 4, 5],
    [7, 0, 6, 6],
  ];

  it('cuts after the bin that maximizes the Gini decrease, and reports that decrease', () => {
    const { candidate, leftBins } = search(bins, false);
    // Cut after bin 2: left (9, 1), right (1, 10); parent (10, 11).
    const gain = purity(9, 1) + purity(1, 10) - purity(10, 11);
    expect(candidate).toMatchObject({ found: true, feature: 3, categorical: false, threshold: 2 });
    expect(candidate.gain).toBeCloseTo(gain, 12);
    expect(candidate.left).toEqual({ negative: 9, positive: 1, rows: 10 });
    // With no missing values in the node, later missing values follow the larger child (right).
    expect(leftBins).toEqual([1, 2]);
    expect(search(bins, false).missingSide).toBe(0);
    expect(search(bins.slice(0, 3), false).missingSide).toBe(1); // (9, 1) | (1, 4): left larger
  });

  it('keeps minSamplesLeaf rows on each side', () => {
    const skewed: Array<[number, number, number, number]> = [
      [1, 6, 0, 6],
      [2, 1, 2, 3],
      [3, 3, 6, 9],
      [4, 0, 6, 6],
    ];
    // Unrestricted, the pure six rows of bin 1 go left; with 7 required, the cut after bin 2
    // (9 | 15) is the only valid one; with 10, none is.
    expect(search(skewed, false).candidate.threshold).toBe(1);
    const { candidate } = search(skewed, false, { ...plain, minSamplesLeaf: 7 });
    expect(candidate).toMatchObject({ found: true, threshold: 2 });
    expect(candidate.gain).toBeCloseTo(purity(7, 2) + purity(3, 12) - purity(10, 14), 12);
    expect(search(skewed, false, { ...plain, minSamplesLeaf: 10 }).candidate.found).toBe(false);
  });

  it('tries the missing bin on both sides and keeps the better', () => {
    // Missing rows churn: they belong with the high bins, so they go right with them.
    const withMissing: Array<[number, number, number, number]> = [[0, 0, 4, 4], ...bins];
    const right = search(withMissing, false);
    expect(right.candidate).toMatchObject({ threshold: 2, missingLeft: false, sawMissing: true });
    expect(right.leftBins).toEqual([1, 2]);
    // Missing rows that stay go left with the low bins.
    const staying = search([[0, 4, 0, 4], ...bins], false);
    expect(staying.candidate).toMatchObject({ threshold: 2, missingLeft: true });
    expect(staying.leftBins).toEqual([0, 1, 2]);
    // Missing against all the rest: the cut before the first bin, missing values alone on the left.
    const alone = search(
      [
        [0, 0, 9, 9],
        [3, 9, 0, 9],
      ],
      false,
    );
    expect(alone.candidate).toMatchObject({ threshold: 0, missingLeft: true });
    expect(alone.leftBins).toEqual([0]);
  });

  it('finds nothing in a constant feature or a pure node', () => {
    expect(search([[3, 4, 5, 9]], false).searched).toBe(false);
    expect(
      search(
        [
          [1, 4, 0, 4],
          [2, 3, 0, 3],
        ],
        false,
      ).candidate.found,
    ).toBe(false);
  });
});

describe('categorical split search', () => {
  it('groups categories by churn rate, whatever their bin numbers', () => {
    // Bins 1 and 3 stay, 2 and 4 churn: no cut of the bin order separates them, the rate order does.
    const { candidate, leftBins } = search(
      [
        [1, 9, 1, 10],
        [2, 1, 9, 10],
        [3, 8, 2, 10],
        [4, 2, 8, 10],
      ],
      true,
    );
    expect(candidate.categorical).toBe(true);
    expect(leftBins).toEqual([1, 3]);
    expect(candidate.gain).toBeCloseTo(purity(17, 3) + purity(3, 17) - purity(20, 20), 12);
  });

  // Bins: a (1) 20 rows 2 churned, b (2) 20 rows 18 churned, c (3) 2 rows both churned, d (4)
  // 3 rows none churned.
  const smallOnes: Array<[number, number, number, number]> = [
    [1, 18, 2, 20],
    [2, 2, 18, 20],
    [3, 0, 2, 2],
    [4, 3, 0, 3],
  ];

  it('unregularized, puts a tiny all-churned category with the churners', () => {
    // Rate order d (0), a (.1), b (.9), c (1): the best cut is {d, a} | {b, c}.
    const { candidate, leftBins } = search(smallOnes, true);
    expect(leftBins).toEqual([1, 4]);
    expect(candidate.gain).toBeCloseTo(purity(21, 2) + purity(2, 20) - purity(23, 22), 12);
  });

  it('pools categories of fewer than minCategoryRows rows and orders them as one', () => {
    // c and d pool into one group of 5 rows, 2 churned (rate .4): order a (.1), cd (.4), b (.9).
    // {a} | {cd, b} gains 16.4 + 17 − P; {a, cd} | {b} gains 18.28 + 16.4 − P: the second wins.
    const { candidate, leftBins } = search(smallOnes, true, { ...plain, minCategoryRows: 10 });
    expect(leftBins).toEqual([1, 3, 4]);
    expect(candidate.left).toEqual({ negative: 21, positive: 4, rows: 25 });
    expect(candidate.gain).toBeCloseTo(purity(21, 4) + purity(2, 18) - purity(23, 22), 12);
  });

  it('shrinks each rate toward the node’s by categorySmoothing pseudo-rows before ordering', () => {
    // x (1) 1 row churned, y (2) 9 of 10, z (3) 5 of 10, u (4) 4 of 14; node rate 19/35.
    // Raw order u (.29), z (.5), y (.9), x (1): one group per side allows {u} | rest or
    // {u, z, y} | {x}, and {u} wins. With 9 pseudo-rows x falls to (1 + 9·19/35)/10 ≈ .59, below
    // y's (9 + 9·19/35)/19 ≈ .73: order u, z, x, y, and {u, z, x} | {y} wins.
    const entries: Array<[number, number, number, number]> = [
      [1, 0, 1, 1],
      [2, 1, 9, 10],
      [3, 5, 5, 10],
      [4, 10, 4, 14],
    ];
    const capped = { ...plain, maxCategorySplit: 1 };
    const raw = search(entries, true, capped);
    expect(raw.leftBins).toEqual([4]);
    expect(raw.candidate.gain).toBeCloseTo(purity(10, 4) + purity(6, 15) - purity(16, 19), 12);
    const smoothed = search(entries, true, { ...capped, categorySmoothing: 9 });
    expect(smoothed.leftBins).toEqual([1, 3, 4]);
    expect(smoothed.candidate.gain).toBeCloseTo(purity(15, 10) + purity(1, 9) - purity(16, 19), 12);
  });

  it('shrinks toward the node’s own rate, not toward one half', () => {
    // A node of low churn (66 of 302): A (1) 5 of 100, B (2) 20 of 100, s (3) 1 of 2, C (4) 40
    // of 100. Shrunk by 20 pseudo-rows toward 66/302, s (≈ .24) sits between B and C, so with one
    // group per side {A, B, s} | {C} wins; raw (or shrunk toward .5) s is last and {A} | rest wins.
    const entries: Array<[number, number, number, number]> = [
      [1, 95, 5, 100],
      [2, 80, 20, 100],
      [3, 1, 1, 2],
      [4, 60, 40, 100],
    ];
    const capped = { ...plain, maxCategorySplit: 1 };
    expect(search(entries, true, capped).leftBins).toEqual([1]);
    const smoothed = search(entries, true, { ...capped, categorySmoothing: 20 });
    expect(smoothed.leftBins).toEqual([1, 2, 3]);
    expect(smoothed.candidate.gain).toBeCloseTo(
      purity(176, 26) + purity(60, 40) - purity(236, 66),
      12,
    );
  });

  it('keeps at most maxCategorySplit groups on the smaller side', () => {
    const many: Array<[number, number, number, number]> = [
      [1, 10, 0, 10],
      [2, 9, 1, 10],
      [3, 1, 9, 10],
      [4, 0, 10, 10],
      [5, 0, 10, 10],
      [6, 0, 10, 10],
    ];
    // Unrestricted: {1, 2} | {3 … 6}, two groups on the smaller side.
    expect(search(many, true).leftBins).toEqual([1, 2]);
    // One group at most on a side: {1} | rest (or its mirror) is the best left.
    const capped = search(many, true, { ...plain, maxCategorySplit: 1 });
    expect(capped.leftBins).toEqual([1]);
  });
});
