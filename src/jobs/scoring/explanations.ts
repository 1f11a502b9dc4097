/**
 * The explanation columns of `churn predict` (and the reasons `churn serve` answers): per customer,
 * the K strongest reasons behind the score, each a feature with the value the model read and its
 * signed contribution; or every feature's contribution with the base value they start from.
 *
 * Contributions are in the units of churn_probability (0.05 = 5 percentage points), and the base
 * value plus a row's contributions is its churn_probability, up to the six decimals shown.
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

/**
 * The scale explanations are shown on: the probability churn shows, from the forest's raw one.
 * The identity until a model carries a calibration map; with one, contributions are rescaled
 * (see shownExplanation) so that they still add up to the probability shown.
 */
export type ShownScale = (raw: number) => number;
export const RAW_SCALE: ShownScale = (raw) => raw;

export interface Reason {
  feature: string;
  /** The value as the model read it: a number, a category, or MISSING_VALUE. */
  value: string;
  contribution: number;
}

export function explanationColumns(
  schema: DataSchema,
  request: ExplanationRequest,
  scale: ShownScale = RAW_SCALE,
): OutputColumns {
  const names = explanationColumnNames(schema, request);
  if (request.output === 'contributions') {
    return {
      names,
      cells(batch) {
        const explanation = explanationOf(batch);
        const width = schema.features.length;
        const rows = batch.scores.length;
        const cells: string[] = new Array(rows);
        const shown = new Float64Array(width);
        for (let row = 0; row < rows; row++) {
          const base = shownExplanation(explanation, row, width, scale, shown);
          let line = String(shownProbability(base));
          for (let f = 0; f < width; f++) line += ',' + shownContribution(shown[f]);
          cells[row] = line;
        }
        return cells;
      },
    };
  }
  const finder = new ReasonFinder(schema, scale);
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
  scale: ShownScale = RAW_SCALE,
): Reason[] {
  return new ReasonFinder(schema, scale).strongest(columns, explanation, row, count);
}

class ReasonFinder {
  private readonly shown: Float64Array;
  private readonly taken: Uint8Array;

  constructor(
    private readonly schema: DataSchema,
    private readonly scale: ShownScale,
  ) {
    this.shown = new Float64Array(schema.features.length);
    this.taken = new Uint8Array(schema.features.length);
  }

  strongest(
    columns: FeatureColumn[],
    explanation: Explanation,
    row: number,
    count: number,
  ): Reason[] {
    const { schema, shown, taken } = this;
    const width = schema.features.length;
    shownExplanation(explanation, row, width, this.scale, shown);
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

/**
 * Writes a row's contributions on the shown scale into `out` and returns the base value on it.
 * On the raw scale they are TreeSHAP's (or path attribution's) own. On a calibrated scale c(·),
 * each contribution is multiplied by (c(p) − c(b)) / (p − b), p the row's raw probability and b
 * the raw base value, so that the base value c(b) plus the contributions is c(p), the probability
 * shown; their signs and order stay. (Where p = b, the slope of c around b is used instead.)
 */
export function shownExplanation(
  explanation: Explanation,
  row: number,
  width: number,
  scale: ShownScale,
  out: Float64Array,
): number {
  const { contributions, baseValue } = explanation;
  const raw = explanation.scores[row];
  let factor = 1;
  if (scale !== RAW_SCALE) {
    const step = 1e-6;
    factor =
      Math.abs(raw - baseValue) > step
        ? (scale(raw) - scale(baseValue)) / (raw - baseValue)
        : (scale(baseValue + step) - scale(baseValue - step)) / (2 * step);
  }
  for (let f = 0; f < width; f++) out[f] = contributions[row * width + f] * factor;
  return scale(baseValue);
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
