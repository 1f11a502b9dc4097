/**
 * The steps train and retrain share to fit a model: split the labelled rows (stratified, seeded,
 * by row key), grow the forest on the training share (one per setting of the tuning grid when
 * asked to), calibrate its probabilities and tune its threshold on the out-of-bag predictions,
 * and judge it on the holdout with calibrated probabilities.
 */
import { InputError } from '../common/errors.js';
import { secondsSince } from '../common/elapsed.js';
import type { ChurnConfig } from '../config/schema.js';
import type { LabelledTable } from '../data/labelled-table.js';
import { stratifiedSplit, takeRows, type Split } from '../data/split.js';
import {
  calibrateAll,
  fitCalibration,
  IDENTITY,
  type CalibrationMap,
  type CalibrationMethod,
} from '../evaluation/calibration.js';
import { evaluateModel, tuneThreshold, type ModelEvaluation } from '../evaluation/index.js';
import { trainForest, type Forest, type TrainingSet } from '../forest/index.js';
import type { ExplanationSummary } from '../evaluation/explanations.js';
import type { TuningRecord } from '../registry/registry.js';
import { tuneForest } from './tuning.js';
import type { Logger } from '../logging/logger.js';
import { explanationSummary } from './explanation-summary.js';

export interface FitSettings {
  model: ChurnConfig['model'];
  testSize: number;
  beta: number;
  calibration: CalibrationMethod;
  /** Grow a forest per setting of the tuning grid and keep the best out of bag. */
  tune?: boolean;
  onTree?: (done: number, total: number) => void;
}

export interface FittedModel {
  forest: Forest;
  /** From the forest's raw probabilities to those every command shows. */
  calibration: CalibrationMap;
  /** The grid tried and the trial kept, when tuned. */
  tuning: TuningRecord | null;
  /** The calibrated threshold. */
  threshold: number;
  outOfBagFBeta: number;
  /** Seconds growing the forest. */
  seconds: number;
  split: Split;
  /** The held-out rows, for judging other models on the same rows. */
  holdout: TrainingSet;
  /** The forest's calibrated probabilities for the holdout rows. */
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
  const holdoutScores = calibrateAll(
    fitted.calibration,
    fitted.forest.predictProba(holdout.features),
  );
  const evaluation = evaluateModel(holdout.labels, holdoutScores, fitted.threshold);
  const explaining = performance.now();
  const explanations = await explanationSummary(
    fitted.forest,
    holdout.features,
    table.schema,
    fitted.calibration,
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

/**
 * Grows the forest (or, tuning, the best of the grid's), then fits the calibration map and the
 * threshold on the rows each tree did not see.
 */
async function fitForest(
  train: TrainingSet,
  options: FitSettings,
  log: Logger,
): Promise<
  Pick<FittedModel, 'forest' | 'calibration' | 'tuning' | 'threshold' | 'outOfBagFBeta' | 'seconds'>
> {
  log.info('growing forest', { ...options.model, rows: train.labels.length, tune: !!options.tune });
  const started = performance.now();
  const { trained, tuning } = options.tune
    ? await tuneForest(train, options.model, log)
    : {
        trained: await trainForest(train, options.model, { onTree: options.onTree }),
        tuning: null,
      };
  const { forest, oobScores } = trained;
  const seconds = secondsSince(started);
  log.info('grew forest', { trees: forest.treeCount, nodes: forest.nodeCount, seconds });

  const labels: number[] = [];
  const raw: number[] = [];
  oobScores.forEach((score, row) => {
    if (!Number.isNaN(score)) {
      labels.push(train.labels[row]);
      raw.push(score);
    }
  });
  if (!labels.includes(1)) {
    log.warn(
      'no out-of-bag predictions for churned rows: probabilities left raw, threshold at 0.5',
    );
    return { forest, calibration: IDENTITY, tuning, threshold: 0.5, outOfBagFBeta: 0, seconds };
  }
  const calibration = fitCalibration(options.calibration, labels, raw);
  const scores = Array.from(calibrateAll(calibration, raw));
  const tuned = tuneThreshold(labels, scores, options.beta);
  log.info('calibrated and tuned the threshold on out-of-bag predictions', {
    calibration: calibration.method,
    threshold: tuned.threshold,
    beta: options.beta,
    fBeta: Number(tuned.fBeta.toFixed(4)),
    rows: labels.length,
  });
  return {
    forest,
    calibration,
    tuning,
    threshold: tuned.threshold,
    outOfBagFBeta: tuned.fBeta,
    seconds,
  };
}
