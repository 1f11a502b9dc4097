/**
 * The columns of `churn predict`'s output, in groups: the input columns it copies, then the
 * predictions. Each group names its columns and gives each row's cells of a scored batch, so a
 * new group (per-customer reasons, say) is one more entry in the list.
 */
import { csvLine } from '../../data/csv-writer.js';
import type { OutputColumns, ScoredBatch } from './batches.js';
import { isExplanationColumn } from './explanations.js';
import { predictedChurn, shownProbability } from './prediction.js';
import { riskLevel, type RiskCutoffs } from './risk.js';

export type { OutputColumns };

export const PREDICTION_COLUMNS = ['churn_probability', 'churn_predicted', 'risk_level'];

/**
 * Input columns copied to the output: all (but earlier predictions and explanations) or just the
 * model's id.
 */
export function copiedColumnIndexes(header: string[], id: string | null, all: boolean): number[] {
  const indexes = header.map((_, index) => index);
  if (all) return indexes.filter((index) => !isOutputColumn(header[index]));
  return indexes.filter((index) => header[index] === id);
}

function isOutputColumn(name: string): boolean {
  return PREDICTION_COLUMNS.includes(name) || isExplanationColumn(name);
}

/** The copied input columns, whose cells the scoring loop took as it read each row. */
export function copiedColumns(header: string[], indexes: readonly number[]): OutputColumns {
  return { names: indexes.map((index) => header[index]), cells: (batch) => batch.copied };
}

/** Probability, the prediction at the model's threshold, and the risk level. */
export function predictionColumns(threshold: number, cutoffs: RiskCutoffs): OutputColumns {
  return {
    names: PREDICTION_COLUMNS,
    cells({ scores }) {
      const cells: string[] = new Array(scores.length);
      for (let row = 0; row < scores.length; row++) {
        const score = scores[row];
        cells[row] =
          `${shownProbability(score)},${predictedChurn(score, threshold)},` +
          riskLevel(score, cutoffs);
      }
      return cells;
    },
  };
}

export function headerLine(groups: readonly OutputColumns[]): string {
  return csvLine(groups.flatMap((group) => group.names)) + '\n';
}

/** A scored batch's output lines, each row's groups joined by commas. */
export function formatRows(batch: ScoredBatch, groups: readonly OutputColumns[]): string {
  const parts = groups.filter((group) => group.names.length > 0).map((group) => group.cells(batch));
  const lines: string[] = new Array(batch.scores.length);
  for (let row = 0; row < lines.length; row++) {
    let line = parts[0][row];
    for (let p = 1; p < parts.length; p++) line += ',' + parts[p][row];
    lines[row] = line;
  }
  return lines.join('\n') + '\n';
}
