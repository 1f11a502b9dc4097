import type { BinSummary } from './splitting.js';

/**
 * Per-node histograms: for every feature and bin, the weight of negatives, the weight of
 * positives and the number of distinct rows. A node's histogram is built from its rows once;
 * a larger child's is its parent's minus its smaller sibling's, as in LightGBM.
 */

/** Values stored per bin: weight of class 0, weight of class 1, row count. */
export const CHANNELS = 3;

export interface HistogramLayout {
  featureCount: number;
  /** First bin of each feature in the flat histogram. */
  offsets: Int32Array;
  /** Bins of each feature, missing bin included. */
  binCounts: Int32Array;
  totalBins: number;
}

export function histogramLayout(binCounts: number[]): HistogramLayout {
  const offsets = new Int32Array(binCounts.length);
  let total = 0;
  binCounts.forEach((count, f) => {
    offsets[f] = total;
    total += count;
  });
  return {
    featureCount: binCounts.length,
    offsets,
    binCounts: Int32Array.from(binCounts),
    totalBins: total,
  };
}

export function newHistogram(layout: HistogramLayout): Float64Array {
  return new Float64Array(layout.totalBins * CHANNELS);
}

/**
 * Fills `out` from the rows indices[start..end). Labels and weights are read by position: the
 * grower keeps them in the same order as the indices, so those reads are sequential.
 */
export function buildHistogram(
  out: Float64Array,
  layout: HistogramLayout,
  bins: Uint8Array,
  positionLabel: Uint8Array,
  positionWeight: Float64Array,
  indices: Int32Array,
  start: number,
  end: number,
): void {
  out.fill(0);
  const featureCount = layout.featureCount;
  const offsets = layout.offsets;
  for (let k = start; k < end; k++) {
    const weight = positionWeight[k];
    const label = positionLabel[k];
    const base = indices[k] * featureCount;
    for (let f = 0; f < featureCount; f++) {
      const slot = (offsets[f] + bins[base + f]) * CHANNELS;
      out[slot + label] += weight;
      out[slot + 2] += 1;
    }
  }
}

/** parent ← parent − child: the parent's buffer becomes the other child's histogram. */
export function subtractInto(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i] -= child[i];
}

/** The occupied bins of feature f in a full histogram. */
export function summarizeHistogram(
  histogram: Float64Array,
  layout: HistogramLayout,
  feature: number,
  out: BinSummary,
): void {
  const offset = layout.offsets[feature];
  const binCount = layout.binCounts[feature];
  let size = 0;
  for (let b = 0; b < binCount; b++) {
    const slot = (offset + b) * CHANNELS;
    if (histogram[slot + 2] === 0) continue;
    out.bin[size] = b;
    out.negative[size] = histogram[slot];
    out.positive[size] = histogram[slot + 1];
    out.rows[size] = histogram[slot + 2];
    size++;
  }
  out.size = size;
}

/** Per-feature scratch histogram, all zero between calls, and a bitmap of its occupied bins. */
const scratch = new Float64Array(256 * CHANNELS);
const occupied = new Int32Array(8);

/**
 * The occupied bins of feature f among rows indices[start..end), straight from the rows. Only
 * the bins the rows touch are read back and cleared, found in ascending order from a 256-bit
 * bitmap, so a node with few rows costs a few operations per row and nothing per empty bin.
 */
export function summarizeRows(
  feature: number,
  bins: Uint8Array,
  featureCount: number,
  positionLabel: Uint8Array,
  positionWeight: Float64Array,
  indices: Int32Array,
  start: number,
  end: number,
  out: BinSummary,
): void {
  for (let k = start; k < end; k++) {
    const bin = bins[indices[k] * featureCount + feature];
    const slot = bin * CHANNELS;
    scratch[slot + positionLabel[k]] += positionWeight[k];
    scratch[slot + 2] += 1;
    occupied[bin >>> 5] |= 1 << (bin & 31);
  }
  let size = 0;
  for (let word = 0; word < 8; word++) {
    let bits = occupied[word];
    occupied[word] = 0;
    while (bits !== 0) {
      const low = bits & -bits;
      const bin = (word << 5) | (31 - Math.clz32(low));
      bits ^= low;
      const slot = bin * CHANNELS;
      out.bin[size] = bin;
      out.negative[size] = scratch[slot];
      out.positive[size] = scratch[slot + 1];
      out.rows[size] = scratch[slot + 2];
      scratch[slot] = 0;
      scratch[slot + 1] = 0;
      scratch[slot + 2] = 0;
      size++;
    }
  }
  out.size = size;
}

/**
 * The reference kernel, kept for tests: a feature at a time, each row's label and weight read by
 * row number, every bin of every feature returned. The fast kernels above must agree with it.
 */
export function buildHistogramNaive(
  layout: HistogramLayout,
  bins: Uint8Array,
  labels: Uint8Array,
  weights: Float64Array,
  rows: ArrayLike<number>,
): Float64Array {
  const out = newHistogram(layout);
  for (let f = 0; f < layout.featureCount; f++) {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      const bin = bins[row * layout.featureCount + f];
      const slot = (layout.offsets[f] + bin) * CHANNELS;
      if (labels[row] === 1) out[slot + 1] += weights[row];
      else out[slot] += weights[row];
      out[slot + 2] += 1;
    }
  }
  return out;
}
