/**
 * The seeded, stratified train/holdout split. Each class is ordered by a seeded hash of its rows'
 * keys (their ids) and cut at the same share, so the holdout has the churn rate of the whole file,
 * the same seed gives the same split, and a row's side depends on its key, not on its position:
 * when new rows join a file, the rows held out before are (all but a few at the cut) held out
 * again, so a model is never judged on rows it was trained on.
 */
import { mix32 } from '../common/random.js';
import type { FeatureColumn, TrainingSet } from '../forest/index.js';

export interface Split {
  /** Row numbers, ascending. */
  train: Uint32Array;
  holdout: Uint32Array;
}

export function stratifiedSplit(
  labels: Uint8Array,
  holdoutShare: number,
  seed: number,
  keys: Uint32Array = Uint32Array.from(labels, (_, row) => row),
): Split {
  const salt = mix32(seed ^ 0x5bd1e995);
  const rank = (row: number) => mix32(keys[row] ^ salt);
  const train: number[] = [];
  const holdout: number[] = [];
  for (const label of [0, 1]) {
    const rows: number[] = [];
    for (let row = 0; row < labels.length; row++) if (labels[row] === label) rows.push(row);
    if (rows.length < 2) {
      throw new RangeError(
        `a train/holdout split needs at least 2 rows of each class, class ${label} has ${rows.length}`,
      );
    }
    rows.sort((a, b) => rank(a) - rank(b) || a - b);
    // Both sides keep at least one row of each class.
    const held = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * holdoutShare)));
    rows.forEach((row, i) => (i < held ? holdout : train).push(row));
  }
  return {
    train: Uint32Array.from(train).sort(),
    holdout: Uint32Array.from(holdout).sort(),
  };
}

/** The given rows of a data set, in that order. */
export function takeRows(data: TrainingSet, rows: Uint32Array): TrainingSet {
  return {
    features: data.features.map((column) => takeColumnRows(column, rows)),
    labels: Uint8Array.from(rows, (row) => data.labels[row]),
    weights: data.weights ? Float64Array.from(rows, (row) => data.weights![row]) : undefined,
  };
}

function takeColumnRows(column: FeatureColumn, rows: Uint32Array): FeatureColumn {
  return column.kind === 'numeric'
    ? { ...column, values: Float64Array.from(rows, (row) => column.values[row]) }
    : { ...column, codes: Int32Array.from(rows, (row) => column.codes[row]) };
}
