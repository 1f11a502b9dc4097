/**
 * A model judged on a labelled batch, as `churn evaluate` does and `churn retrain` does on its new
 * rows: the batch is scored through predict's own path (its encoder, scoring loop and calibration,
 * so every probability is the one `churn predict` gives that customer), its target is read beside
 * the scores, and the live figures follow: the model's metrics at its threshold, its Brier score
 * and log loss, and the batch's drift against the training rows.
 */
import { availableParallelism } from 'node:os';
import { InputError } from '../common/errors.js';
import { BatchEncoder, describeReadAsMissing } from '../data/batch-encoder.js';
import type { TargetLabels } from '../data/target.js';
import { isMissing } from '../data/values.js';
import {
  BatchDrift,
  brierScore,
  evaluateModel,
  logLoss,
  type DriftReport,
  type DriftThresholds,
  type ModelEvaluation,
} from '../evaluation/index.js';
import type { Logger } from '../logging/logger.js';
import type { LiveMetrics } from '../registry/evaluations.js';
import type { LoadedModel } from '../registry/model-file.js';
import { scoredBatches, type RowSource } from './scoring/batches.js';
import { calibrationOf } from './scoring/probability.js';

export interface LabelledBatch {
  /** Data rows read; those with a known outcome are the ones evaluated. */
  rowsRead: number;
  rows: number;
  churnRate: number;
  evaluation: ModelEvaluation;
  metrics: LiveMetrics;
  /** Every row's, outcome known or not. */
  drift: DriftReport;
}

/** Rows encoded and scored at a time, as predict does. */
const BATCH_ROWS = 16_384;

export async function judgeOnLabelledBatch(
  loaded: Pick<LoadedModel, 'model' | 'forest'>,
  source: RowSource & { lineOf?(record: number): Promise<number> },
  options: { threads: number | null; drift: DriftThresholds },
  log: Logger,
): Promise<LabelledBatch> {
  const { model, forest } = loaded;
  const target = source.header.indexOf(model.schema.target);
  if (target < 0) {
    throw new InputError(
      { file: source.name, line: 1 },
      `has no column "${model.schema.target}", the model's target: evaluating needs each customer's outcome`,
    );
  }
  const encoder = new BatchEncoder(model.schema, source, BATCH_ROWS);
  const scorer = forest.scoringStream(Math.max(1, (options.threads ?? availableParallelism()) - 1));
  const drift = new BatchDrift(model.schema.features, model.scoreReference);
  const labels: number[] = [];
  const scores: number[] = [];
  let rowsRead = 0;
  try {
    for await (const batch of scoredBatches({
      source,
      encoder,
      scorer,
      calibration: calibrationOf(model),
      copy: [target],
    })) {
      drift.addColumns(batch.columns);
      drift.addScores(batch.scores);
      for (let row = 0; row < batch.scores.length; row++, rowsRead++) {
        const text = unquoted(batch.copied[row]);
        if (isMissing(text)) continue;
        const label = labelOf(text, model.schema.labels);
        if (label === null) {
          const line = source.lineOf ? await source.lineOf(rowsRead) : undefined;
          throw new InputError(
            { file: source.name, line, column: model.schema.target, record: rowsRead },
            `"${text}" is neither "${model.schema.labels.positive}" (churned) nor ` +
              `"${model.schema.labels.negative}", the model's target values`,
          );
        }
        labels.push(label);
        scores.push(batch.scores[row]);
      }
    }
  } finally {
    await scorer.close();
  }
  for (const entry of encoder.readAsMissing()) {
    const { feature, rows, reason } = entry;
    log.warn(describeReadAsMissing(entry, source.name), { feature, rows, reason });
  }
  const positives = labels.reduce((sum, label) => sum + label, 0);
  if (positives === 0 || positives === labels.length) {
    throw new InputError(
      { file: source.name, column: model.schema.target },
      labels.length === 0
        ? 'has no row with a known outcome: nothing to evaluate the model on'
        : `has only customers who ${positives === 0 ? 'stayed' : 'left'} among its ` +
            `${labels.length.toLocaleString('en-US')} labelled rows: ROC AUC and F2 need both`,
    );
  }
  const evaluation = evaluateModel(labels, scores, model.threshold);
  return {
    rowsRead,
    rows: labels.length,
    churnRate: positives / labels.length,
    evaluation,
    metrics: {
      ...evaluation.metrics,
      brierScore: brierScore(labels, scores),
      logLoss: logLoss(labels, scores),
    },
    drift: drift.report(options.drift),
  };
}

/** 1 churned, 0 stayed, null for any other value; as written in training, in any case. */
function labelOf(text: string, labels: TargetLabels): 0 | 1 | null {
  const value = text.trim().toLowerCase();
  if (value === labels.positive.trim().toLowerCase()) return 1;
  if (value === labels.negative.trim().toLowerCase()) return 0;
  return null;
}

/** A cell as the scoring loop copies it (a CSV field), back to its text. */
function unquoted(cell: string): string {
  return cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
}
