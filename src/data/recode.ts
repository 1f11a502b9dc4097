/**
 * Columns read from one file, put in the form another model expects: its features in its order,
 * its category codes (categories it does not know become missing). Lets a champion score rows
 * that were read, and coded, for its challenger.
 */
import { InputError } from '../common/errors.js';
import type { FeatureColumn } from '../forest/index.js';
import type { DataSchema } from './schema.js';

export function recodeForSchema(
  columns: FeatureColumn[],
  from: DataSchema,
  to: DataSchema,
  file: string,
): FeatureColumn[] {
  return to.features.map((wanted) => {
    const f = from.features.findIndex((feature) => feature.name === wanted.name);
    if (f < 0) {
      throw new InputError({ file, column: wanted.name }, 'lacks a feature column the model needs');
    }
    const column = columns[f];
    const source = from.features[f];
    if (source.kind !== wanted.kind || column.kind !== wanted.kind) {
      throw new InputError(
        { file, column: wanted.name },
        `reads as ${source.kind} but the model was trained on it as ${wanted.kind}`,
      );
    }
    if (
      column.kind === 'numeric' ||
      source.kind !== 'categorical' ||
      wanted.kind !== 'categorical'
    ) {
      return column;
    }
    const codeOf = new Map(wanted.categories.map((category, code) => [category, code]));
    const mapping = Int32Array.from(source.categories, (category) => codeOf.get(category) ?? -1);
    return {
      ...column,
      codes: column.codes.map((code) => (code < 0 ? -1 : mapping[code])),
      categories: wanted.categories.length,
    };
  });
}

/** The same features, kinds, target and id: a challenger can replace the champion. */
export function checkSameSchema(actual: DataSchema, expected: DataSchema, file: string): void {
  const problems: string[] = [];
  if (actual.target !== expected.target)
    problems.push(`target "${actual.target}" is not "${expected.target}"`);
  if (actual.id !== expected.id) problems.push(`id column "${actual.id}" is not "${expected.id}"`);
  for (const feature of expected.features) {
    const found = actual.features.find((candidate) => candidate.name === feature.name);
    if (!found) problems.push(`feature "${feature.name}" is missing`);
    else if (found.kind !== feature.kind) {
      problems.push(`"${feature.name}" reads as ${found.kind}, the champion's is ${feature.kind}`);
    }
  }
  for (const feature of actual.features) {
    if (!expected.features.some((candidate) => candidate.name === feature.name)) {
      problems.push(`feature "${feature.name}" is new`);
    }
  }
  if (problems.length > 0) {
    throw new InputError(
      { file },
      `does not match the champion's data schema: ${problems.join('; ')}`,
    );
  }
}
