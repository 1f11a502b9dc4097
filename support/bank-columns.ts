import type { FeatureColumn, TrainingSet } from '../src/forest/index.js';
import { readSimpleCsv } from './simple-csv.js';

const CATEGORICAL = ['pais', 'genero', 'cartao_credito'];

/**
 * Bank-churn CSVs (the generator's or the course's) as forest columns, with category codes shared
 * across files through `vocabulary`. The product's own CSV reader arrives with its issue; tests of
 * the engine must not depend on it.
 */
export function bankColumns(path: string, vocabulary = new Map<string, string[]>()): TrainingSet {
  const rows = readSimpleCsv(path);
  const columns = Object.keys(rows[0]).filter((c) => c !== 'id_cliente' && c !== 'saiu');
  const features: FeatureColumn[] = columns.map((name) => {
    if (!CATEGORICAL.includes(name)) {
      return { name, kind: 'numeric', values: Float64Array.from(rows, (row) => Number(row[name])) };
    }
    const known = vocabulary.get(name) ?? [];
    vocabulary.set(name, known);
    const codes = Int32Array.from(rows, (row) => {
      if (!known.includes(row[name])) known.push(row[name]);
      return known.indexOf(row[name]);
    });
    return { name, kind: 'categorical', codes, categories: Math.max(known.length, 3) };
  });
  return { features, labels: Uint8Array.from(rows, (row) => Number(row.saiu)) };
}
