/**
 * What a model knows of the data it was trained on: its feature columns (with category names),
 * the target and how its values read, and the id column. Scoring files are checked against it.
 */
import type { ColumnProfile } from '../evaluation/profile.js';
import type { TargetLabels } from './target.js';

export interface NumericFeature {
  name: string;
  kind: 'numeric';
  /** The column's distribution in the training rows. */
  reference: ColumnProfile;
}

export interface CategoricalFeature {
  name: string;
  kind: 'categorical';
  /** Category names by code. */
  categories: string[];
  reference: ColumnProfile;
}

export type FeatureSpec = NumericFeature | CategoricalFeature;

export interface DataSchema {
  features: FeatureSpec[];
  target: string;
  id: string | null;
  labels: TargetLabels;
  /** Columns of the training file that were neither features, target nor id. */
  ignored: string[];
}

export function listColumns(header: string[]): string {
  const shown = header.slice(0, 20).map((column) => `"${column}"`);
  return shown.join(', ') + (header.length > 20 ? `, … (${header.length} in all)` : '');
}
