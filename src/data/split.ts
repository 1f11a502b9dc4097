/**
 * The seeded, stratified train/holdout split: each class is shuffled and cut at the same share,
 * so the holdout has the churn rate of the whole file, and the same seed gives the same split.
 */
import { Random } from '../common/random.js';
import type { FeatureColumn, TrainingSet } from '../forest/index.js';

export interface Split {
  /** Row numbers, ascending. */
  train: Uint32Array;
  holdout: Uint32Array;
}

export function stratifiedSplit(labels: Uint8Array, holdoutShare: number, seed: number): Split {
  const random = new Random(seed);
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
    for (let i = rows.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
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
