/**
 * The steps train and retrain share to fit a model: split the labelled rows (stratified, seeded,
 * by row key), grow the forest on the training share, tune its threshold on the out-of-bag
 * predictions, and judge it on the holdout.
 */
import { InputError } from '../common/errors.js';
import { secondsSince } from '../common/elapsed.js';
import type { ChurnConfig } from '../config/schema.js';
import type { LabelledTable } from '../data/labelled-table.js';
import { stratifiedSplit, takeRows, type Split } from '../data/split.js';
import { evaluateModel, tuneThreshold, type ModelEvaluation } from '../evaluation/index.js';
import { trainForest, type Forest, type TrainingSet } from '../forest/index.js';
import type { ExplanationSummary } from '../evaluation/explanations.js';
import type { Logger } from '../logging/logger.js';
import { explanationSummary } from './explanation-summary.js';

export interface FitSettings {
  model: ChurnConfig['model'];
  testSize: number;
  beta: number;
  onTree?: (done: number, total: number) => void;
}

export interface FittedModel {
  forest: Forest;
  threshold: number;
  outOfBagFBeta: number;
  /** Seconds growing the forest. */
  seconds: number;
  split: Split;
  /** The held-out rows, for judging other models on the same rows. */
  holdout: TrainingSet;
  /** The forest's probabilities for the holdout rows. */
  holdoutScores: Float64Array;
  evaluation: ModelEvaluation;
  /** What drives the holdout's scores, for the report; null when there is no holdout. */
  explanations: ExplanationSummary | null;
  evaluationSeconds: number;
}

/** Splits, grows the forest on the training share, tunes its threshold, judges it on the holdout. */
export async function fitAndEvaluate(
  table: LabelledTable,
  settings: FitSettings,
  log: Logger,
): Promise<FittedModel> {
  const split = splitRows(table, settings);
  const all: TrainingSet = { features: table.features, labels: table.labels };
  const train = takeRows(all, split.train);
  const holdout = takeRows(all, split.holdout);
  log.info('split rows', {
    train: split.train.length,
    holdout: split.holdout.length,
    testSize: settings.testSize,
    seed: settings.model.seed,
  });
  const fitted = await fitForest(train, settings, log);
  const evaluationStarted = performance.now();
  const holdoutScores = fitted.forest.predictProba(holdout.features);
  const evaluation = evaluateModel(holdout.labels, holdoutScores, fitted.threshold);
  const explaining = performance.now();
  const explanations = await explanationSummary(
    fitted.forest,
    holdout.features,
    table.schema,
    settings.model.threads,
  );
  if (explanations) {
    const { method, rows } = explanations;
    const seconds = secondsSince(explaining);
    log.info('explained the holdout for the report', { method, rows, seconds });
  }
  return {
    ...fitted,
    split,
    holdout,
    holdoutScores,
    evaluation,
    explanations,
    evaluationSeconds: secondsSince(evaluationStarted),
  };
}

function splitRows(table: LabelledTable, options: FitSettings): Split {
  try {
    return stratifiedSplit(table.labels, options.testSize, options.model.seed, table.rowKeys);
  } catch (error) {
    throw new InputError(
      { file: table.name, column: table.schema.target },
      (error as Error).message,
    );
  }
}

interface FittedForest {
  forest: Forest;
  threshold: number;
  outOfBagFBeta: number;
  seconds: number;
}

/** Grows the forest and tunes its threshold on the rows each tree did not see. */
async function fitForest(
  train: TrainingSet,
  options: FitSettings,
  log: Logger,
): Promise<FittedForest> {
  log.info('growing forest', { ...options.model, rows: train.labels.length });
  const started = performance.now();
  const { forest, oobScores } = await trainForest(train, options.model, { onTree: options.onTree });
  const seconds = secondsSince(started);
  log.info('grew forest', { trees: forest.treeCount, nodes: forest.nodeCount, seconds });

  const labels: number[] = [];
  const scores: number[] = [];
  oobScores.forEach((score, row) => {
    if (!Number.isNaN(score)) {
      labels.push(train.labels[row]);
      scores.push(score);
    }
  });
  if (!labels.includes(1)) {
    log.warn('no out-of-bag predictions for churned rows: threshold left at 0.5');
    return { forest, threshold: 0.5, outOfBagFBeta: 0, seconds };
  }
  const tuned = tuneThreshold(labels, scores, options.beta);
  log.info('tuned threshold on out-of-bag predictions', {
    threshold: tuned.threshold,
    beta: options.beta,
    fBeta: Number(tuned.fBeta.toFixed(4)),
    rows: labels.length,
  });
  return { forest, threshold: tuned.threshold, outOfBagFBeta: tuned.fBeta, seconds };
}
