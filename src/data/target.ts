/**
 * Turns the target column's values into 1 (churned) and 0. Known spellings are recognized in any
 * case; anything else needs the positive label named. A target with more than two values is not
 * a churn target.
 */
import { InputError, type InputLocation } from '../common/errors.js';

const POSITIVE = new Set(['1', '1.0', 'true', 'yes', 'y', 'sim', 's']);
const NEGATIVE = new Set(['0', '0.0', 'false', 'no', 'n', 'não', 'nao']);

/** Which of the target's values (as written in the file) means churned, and which does not. */
export interface TargetLabels {
  positive: string;
  negative: string;
}

/**
 * Decides the labels from the distinct values found (at most a few, in order of appearance).
 * Returns, for each value, 1 or 0.
 */
export function decideTarget(
  values: string[],
  positiveLabel: string | null,
  where: InputLocation,
): { labels: TargetLabels; isPositive: boolean[] } {
  const listed = values
    .slice(0, 10)
    .map((value) => `"${value}"`)
    .join(', ');
  if (values.length > 2) {
    throw new InputError(
      where,
      `is not a binary target: values found include ${listed}` +
        (values.length > 10 ? ` and ${values.length - 10} more` : ''),
    );
  }
  if (values.length === 0) throw new InputError(where, 'has no values: every row is missing it');
  let isPositive: boolean[];
  if (positiveLabel !== null) {
    const wanted = positiveLabel.trim().toLowerCase();
    isPositive = values.map((value) => value.toLowerCase() === wanted);
    if (!isPositive.includes(true)) {
      throw new InputError(
        where,
        `has no value "${positiveLabel}" (the positive label); values found: ${listed}`,
      );
    }
  } else {
    isPositive = values.map((value) => POSITIVE.has(value.toLowerCase()));
    const known = values.every(
      (value) => POSITIVE.has(value.toLowerCase()) || NEGATIVE.has(value.toLowerCase()),
    );
    if (!known || (values.length === 2 && isPositive[0] === isPositive[1])) {
      throw new InputError(
        where,
        `values ${listed} are not a known yes/no pair (1/0, true/false, yes/no, sim/não, s/n): ` +
          'name the churned value with --positive-label',
      );
    }
  }
  if (values.length < 2 || !isPositive.includes(true)) {
    throw new InputError(
      where,
      `has only the value ${listed}: a model needs customers who left and customers who stayed`,
    );
  }
  return {
    labels: {
      positive: values[isPositive.indexOf(true)],
      negative: values[isPositive.indexOf(false)],
    },
    isPositive,
  };
}
