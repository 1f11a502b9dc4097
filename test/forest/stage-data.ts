import { Random } from '../../src/common/random.js';
import type { FeatureColumn, TrainingSet } from '../../src/forest/index.js';

/**
 * Rows for the engine's stage tests: two numeric features with missing values, one with few
 * distinct values, and a categorical one of `categories` codes (some rare, some missing); the
 * label depends on all of them, so every kind of split gets chosen somewhere.
 */
export function mixedRows(rows: number, categories: number, seed: number): TrainingSet {
  const random = new Random(seed);
  const a = new Float64Array(rows);
  const b = new Float64Array(rows);
  const steps = new Float64Array(rows);
  const codes = new Int32Array(rows);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    a[i] = random.bernoulli(0.1) ? NaN : random.normal();
    b[i] = random.uniform(0, 100);
    steps[i] = random.int(6);
    // A skewed draw: low codes are common, high ones rare.
    codes[i] = random.bernoulli(0.05) ? -1 : Math.floor(categories * random.next() ** 2);
    const signal =
      (Number.isNaN(a[i]) ? 1 : a[i]) + (codes[i] % 3 === 0 ? 1 : 0) + b[i] / 50 - steps[i] / 3;
    labels[i] = random.bernoulli(1 / (1 + Math.exp(1.5 - signal))) ? 1 : 0;
  }
  const features: FeatureColumn[] = [
    { name: 'a', kind: 'numeric', values: a },
    { name: 'b', kind: 'numeric', values: b },
    { name: 'steps', kind: 'numeric', values: steps },
    { name: 'c', kind: 'categorical', codes, categories },
  ];
  return { features, labels };
}

/** Numeric features with missing values and a categorical one with `categories` codes. */
export function threeFeatureRows(rows: number, categories: number, seed: number): TrainingSet {
  const random = new Random(seed);
  const a = new Float64Array(rows);
  const b = new Float64Array(rows);
  const codes = new Int32Array(rows);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    a[i] = random.bernoulli(0.1) ? NaN : random.normal();
    b[i] = random.uniform(0, 100);
    codes[i] = random.bernoulli(0.05) ? -1 : random.int(categories);
    const signal = (Number.isNaN(a[i]) ? 1 : a[i]) + (codes[i] % 3 === 0 ? 1 : 0) + b[i] / 50;
    labels[i] = random.bernoulli(1 / (1 + Math.exp(2 - signal))) ? 1 : 0;
  }
  const features: FeatureColumn[] = [
    { name: 'a', kind: 'numeric', values: a },
    { name: 'b', kind: 'numeric', values: b },
    { name: 'c', kind: 'categorical', codes, categories },
  ];
  return { features, labels };
}
