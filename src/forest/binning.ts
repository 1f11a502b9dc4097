/**
 * Features are binned once, before any tree grows, into one byte per cell: bin 0 holds missing
 * values, numeric values fall into at most 255 quantile bins, categories into bins of their own
 * (rare ones pooled). Trees then split on bin numbers and never look at raw values again; the
 * bin edges turn a split back into a raw threshold for prediction.
 */
import { countBelow } from '../common/search.js';
import type { FeatureColumn } from './types.js';

export const MISSING_BIN = 0;
export const MAX_BINS = 256;

export interface NumericBinMapper {
  kind: 'numeric';
  /** Ascending cut points: value v goes to bin 1 + (number of edges below v). */
  edges: Float64Array;
  /** Bins in use, missing bin included. */
  bins: number;
}

export interface CategoricalBinMapper {
  kind: 'categorical';
  /** Bin of each category code; codes outside it are treated as missing. */
  binOfCode: Uint8Array;
  bins: number;
}

export type BinMapper = NumericBinMapper | CategoricalBinMapper;

export interface BinnedData {
  rows: number;
  featureCount: number;
  /** Row-major: the bin of feature f in row i is at i * featureCount + f. */
  bins: Uint8Array;
  mappers: BinMapper[];
}

/** Rows sampled to find numeric cut points: enough for stable quantiles, bounded in cost. */
const QUANTILE_SAMPLE = 200_000;

export interface BinningOptions {
  maxBins: number;
  minCategoryCount: number;
  /** Where the binned cells go (a SharedArrayBuffer lets worker threads read them in place). */
  allocate?: (bytes: number) => Uint8Array;
}

export function binFeatures(features: FeatureColumn[], options: BinningOptions): BinnedData {
  const rows = features.length > 0 ? columnLength(features[0]) : 0;
  const featureCount = features.length;
  const bins = options.allocate
    ? options.allocate(rows * featureCount)
    : new Uint8Array(rows * featureCount);
  const mappers: BinMapper[] = [];
  features.forEach((feature, f) => {
    if (columnLength(feature) !== rows) {
      throw new RangeError(
        `feature ${feature.name} has ${columnLength(feature)} rows, expected ${rows}`,
      );
    }
    if (feature.kind === 'numeric') {
      const mapper = numericMapper(feature.values, options.maxBins);
      const { edges } = mapper;
      for (let i = 0; i < rows; i++)
        bins[i * featureCount + f] = numericBin(edges, feature.values[i]);
      mappers.push(mapper);
    } else {
      const mapper = categoricalMapper(feature.codes, feature.categories, options.minCategoryCount);
      for (let i = 0; i < rows; i++)
        bins[i * featureCount + f] = categoricalBin(mapper, feature.codes[i]);
      mappers.push(mapper);
    }
  });
  return { rows, featureCount, bins, mappers };
}

function columnLength(feature: FeatureColumn): number {
  return feature.kind === 'numeric' ? feature.values.length : feature.codes.length;
}

export function numericBin(edges: Float64Array, value: number): number {
  return Number.isNaN(value) ? MISSING_BIN : countBelow(edges, value) + 1;
}

export function categoricalBin(mapper: CategoricalBinMapper, code: number): number {
  return code >= 0 && code < mapper.binOfCode.length ? mapper.binOfCode[code] : MISSING_BIN;
}

function numericMapper(values: Float64Array, maxBins: number): NumericBinMapper {
  const limit = Math.min(maxBins, MAX_BINS - 1);
  const sample = presentSample(values);
  sample.sort();
  const n = sample.length;
  const edges: number[] = [];
  const distinct = countDistinct(sample);
  if (distinct <= limit) {
    for (let i = 1; i < n; i++) {
      if (sample[i] !== sample[i - 1]) edges.push(between(sample[i - 1], sample[i]));
    }
  } else {
    let last = 0;
    for (let j = 1; j < limit; j++) {
      let cut = Math.max(last + 1, Math.round((j * n) / limit));
      while (cut < n && sample[cut] === sample[cut - 1]) cut++;
      if (cut >= n) break;
      edges.push(between(sample[cut - 1], sample[cut]));
      last = cut;
    }
  }
  return { kind: 'numeric', edges: Float64Array.from(edges), bins: edges.length + 2 };
}

/** A cut strictly between two distinct neighbours, so both stay on their own side. */
function between(below: number, above: number): number {
  const mid = below + (above - below) / 2;
  return mid < above ? mid : below;
}

function presentSample(values: Float64Array): Float64Array {
  let present = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present++;
  const stride = Math.max(1, Math.ceil(present / QUANTILE_SAMPLE));
  const sample = new Float64Array(Math.ceil(present / stride));
  let seen = 0;
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    if (seen++ % stride === 0) sample[k++] = values[i];
  }
  return sample.subarray(0, k);
}

function countDistinct(sorted: Float64Array): number {
  let distinct = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  return distinct;
}

function categoricalMapper(
  codes: Int32Array,
  categories: number,
  minCount: number,
): CategoricalBinMapper {
  const counts = new Float64Array(categories);
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    if (code >= 0 && code < categories) counts[code]++;
  }
  // The most frequent categories keep bins of their own, in code order for stable bin numbers.
  const frequent = Array.from({ length: categories }, (_, code) => code)
    .filter((code) => counts[code] >= minCount)
    .sort((a, b) => counts[b] - counts[a] || a - b)
    .slice(0, MAX_BINS - 3)
    .sort((a, b) => a - b);
  const binOfCode = new Uint8Array(categories);
  frequent.forEach((code, i) => (binOfCode[code] = i + 1));
  const pooledBin = frequent.length + 1;
  let pooled = false;
  for (let code = 0; code < categories; code++) {
    if (binOfCode[code] === MISSING_BIN && counts[code] > 0) {
      binOfCode[code] = pooledBin;
      pooled = true;
    }
  }
  // Categories never seen in training share the pooled bin when there is one, else are missing.
  if (pooled) {
    for (let code = 0; code < categories; code++) {
      if (binOfCode[code] === MISSING_BIN) binOfCode[code] = pooledBin;
    }
  }
  return { kind: 'categorical', binOfCode, bins: pooled ? pooledBin + 1 : pooledBin };
}
