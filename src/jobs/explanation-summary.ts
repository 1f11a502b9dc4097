/**
 * The explanation summary a model's report shows (what drives its scores): a sample of labelled
 * rows (the holdout at train time, `--data` for an older model) explained and summarized, on the
 * calibrated probabilities every command shows.
 */
import type { DataSchema } from '../data/schema.js';
import { takeRows } from '../data/split.js';
import { calibrateExplanation, type CalibrationMap } from '../evaluation/calibration.js';
import { summarize, type ExplanationSummary } from '../evaluation/explanations.js';
import type { ExplainMethod, FeatureColumn, Forest } from '../forest/index.js';

/**
 * Rows explained: enough for stable means and a readable dependence plot, few enough that
 * training waits little for them. On the course model 200 rows give each feature's mean
 * |contribution| within 6% of 400 rows', the same order and the same directions, in half the time.
 */
export const SUMMARY_ROWS = 200;
/**
 * Rows × nodes up to which exact TreeSHAP explains them (about a second on two cores); larger
 * forests (trained on hundreds of thousands of rows) are summarized with the fast method.
 */
const EXACT_WORK = 1e8;

/** Null for a model saved before node covers were recorded, which cannot be explained. */
export async function explanationSummary(
  forest: Forest,
  columns: FeatureColumn[],
  schema: DataSchema,
  calibration: CalibrationMap,
  threads?: number | null,
): Promise<ExplanationSummary | null> {
  const total = columns.length === 0 ? 0 : columnLength(columns[0]);
  if (!forest.explainable || total === 0) return null;
  const count = Math.min(total, SUMMARY_ROWS);
  // Evenly spaced, so the same rows every time.
  const rows = Uint32Array.from({ length: count }, (_, i) => Math.floor((i * total) / count));
  const sample = takeRows({ features: columns, labels: new Uint8Array(total) }, rows).features;
  const method: ExplainMethod = count * forest.nodeCount <= EXACT_WORK ? 'exact' : 'fast';
  const explanation = calibrateExplanation(
    calibration,
    await forest.explain(sample, method, threads ?? undefined),
    schema.features.length,
  );
  const categoryNames = schema.features.map((feature) =>
    feature.kind === 'categorical' ? feature.categories : null,
  );
  return summarize(method, sample, categoryNames, explanation.contributions, explanation.baseValue);
}

function columnLength(column: FeatureColumn): number {
  return column.kind === 'numeric' ? column.values.length : column.codes.length;
}
