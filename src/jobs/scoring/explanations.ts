/**
 * The explanation columns of `churn predict` (and the reasons `churn serve` answers): per customer,
 * the K strongest reasons behind the score, each a feature with the value the model read and its
 * signed contribution; or every feature's contribution with the base value they start from.
 *
 * Contributions are in the units of churn_probability (0.05 = 5 percentage points), and the base
 * value plus a row's contributions is its churn_probability, up to the six decimals shown: a
 * batch's explanation arrives calibrated with its scores (scoredBatches, calibrateExplanation).
 */
import { InputError, UsageError } from '../../common/errors.js';
import { displayPath } from '../../common/paths.js';
import { csvField } from '../../data/csv-writer.js';
import type { DataSchema } from '../../data/schema.js';
import type { Explanation, ExplainMethod, FeatureColumn, Forest } from '../../forest/index.js';
import type { OutputColumns, ScoredBatch } from './batches.js';
import { shownProbability } from './prediction.js';

/** What `--explain K` or `--contributions` asks for. */
export type ExplanationRequest =
  | { output: 'reasons'; count: number; method: ExplainMethod }
  | { output: 'contributions'; method: ExplainMethod };

/** What a missing value (or a category the model never saw) reads as in a reason. */
export const MISSING_VALUE = '(missing)';

export interface Reason {
  feature: string;
  /** The value as the model read it: a number, a category, or MISSING_VALUE. */
  value: string;
  contribution: number;
}

export function explanationColumns(schema: DataSchema, request: ExplanationRequest): OutputColumns {
  const names = explanationColumnNames(schema, request);
  if (request.output === 'contributions') {
    return {
      names,
      cells(batch) {
        const explanation = explanationOf(batch);
        const width = schema.features.length;
        const rows = batch.scores.length;
        const cells: string[] = new Array(rows);
        const { contributions } = explanation;
        const base = String(shownProbability(explanation.baseValue));
        for (let row = 0; row < rows; row++) {
          let line = base;
          for (let f = 0; f < width; f++) {
            line += ',' + shownContribution(contributions[row * width + f]);
          }
          cells[row] = line;
        }
        return cells;
      },
    };
  }
  const finder = new ReasonFinder(schema);
  return {
    names,
    cells(batch) {
      const explanation = explanationOf(batch);
      const rows = batch.scores.length;
      const cells: string[] = new Array(rows);
      for (let row = 0; row < rows; row++) {
        const reasons = finder.strongest(batch.columns, explanation, row, request.count);
        let line = '';
        for (let k = 0; k < request.count; k++) {
          const reason = reasons[k];
          if (k > 0) line += ',';
          line += reason
            ? `${csvField(`${reason.feature}=${reason.value}`)},${shownContribution(reason.contribution)}`
            : ',';
        }
        cells[row] = line;
      }
      return cells;
    },
  };
}

export function explanationColumnNames(schema: DataSchema, request: ExplanationRequest): string[] {
  if (request.output === 'contributions') {
    return ['base_value', ...schema.features.map((feature) => `contribution_${feature.name}`)];
  }
  return Array.from({ length: request.count }, (_, k) => [
    `reason_${k + 1}`,
    `reason_${k + 1}_contribution`,
  ]).flat();
}

/** Refuses, before anything is written, what cannot be explained as asked. */
export function checkExplainable(
  forest: Forest,
  schema: DataSchema,
  request: ExplanationRequest,
  modelPath: string,
): void {
  if (!forest.explainable) {
    throw new InputError(
      { file: displayPath(modelPath) },
      'was saved by an older churn, without the training rows per node that explanations ' +
        'need: retrain the model to explain its scores',
    );
  }
  const features = schema.features.length;
  if (request.output === 'reasons' && request.count > features) {
    throw new UsageError(
      `--explain ${request.count} asks for more reasons than the model has features (${features})`,
    );
  }
}

/** Columns of an earlier run's explanations, left out when `--keep-columns` copies the input. */
export function isExplanationColumn(name: string): boolean {
  return /^(reason_\d+(_contribution)?|contribution_.+|base_value)$/.test(name);
}

/**
 * A row's reasons, strongest first: the features with the largest contributions in absolute
 * value, at most `count`, leaving out those that did not move the score at all. Ties go to the
 * feature that comes first in the model. For a few rows (an API request); a batch reuses one
 * ReasonFinder.
 */
export function strongestReasons(
  schema: DataSchema,
  columns: FeatureColumn[],
  explanation: Explanation,
  row: number,
  count: number,
): Reason[] {
  return new ReasonFinder(schema).strongest(columns, explanation, row, count);
}

class ReasonFinder {
  private readonly taken: Uint8Array;

  constructor(private readonly schema: DataSchema) {
    this.taken = new Uint8Array(schema.features.length);
  }

  strongest(
    columns: FeatureColumn[],
    explanation: Explanation,
    row: number,
    count: number,
  ): Reason[] {
    const { schema, taken } = this;
    const width = schema.features.length;
    const shown = explanation.contributions.subarray(row * width, (row + 1) * width);
    taken.fill(0);
    const reasons: Reason[] = [];
    for (let k = 0; k < Math.min(count, width); k++) {
      let best = -1;
      for (let f = 0; f < width; f++) {
        if (taken[f] || shown[f] === 0) continue;
        if (best < 0 || Math.abs(shown[f]) > Math.abs(shown[best])) best = f;
      }
      if (best < 0) break;
      taken[best] = 1;
      reasons.push({
        feature: schema.features[best].name,
        value: valueRead(schema, columns, best, row),
        contribution: shown[best],
      });
    }
    return reasons;
  }
}

/** Six decimals, as the probability: 0 stays 0, never −0. */
export function shownContribution(value: number): string {
  return String(Math.round(value * 1e6) / 1e6 + 0);
}

/** A feature's value in a row as the model read it. */
export function valueRead(
  schema: DataSchema,
  columns: FeatureColumn[],
  f: number,
  row: number,
): string {
  const feature = schema.features[f];
  const column = columns[f];
  if (feature.kind === 'numeric' && column.kind === 'numeric') {
    const value = column.values[row];
    return value === value ? String(value) : MISSING_VALUE;
  }
  if (feature.kind === 'categorical' && column.kind === 'categorical') {
    const code = column.codes[row];
    return code >= 0 && code < feature.categories.length ? feature.categories[code] : MISSING_VALUE;
  }
  throw new TypeError(`column ${feature.name} is not ${feature.kind}`);
}

function explanationOf(batch: ScoredBatch): Explanation {
  if (!batch.explanation) throw new TypeError('this batch was scored without explanations');
  return batch.explanation;
}
