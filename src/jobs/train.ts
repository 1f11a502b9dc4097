/**
 * `churn train`: read a labelled CSV, hold out a stratified share, grow the forest on the rest,
 * tune the decision threshold on its out-of-bag predictions, judge it on the holdout, and store
 * that very model in the registry as the new champion.
 */
import type { ChurnConfig } from '../config/schema.js';
import { churnVersion } from '../common/version.js';
import {
  readLabelledTable,
  type LabelledReadOptions,
  type LabelledTable,
} from '../data/labelled-table.js';
import { stratifiedSplit, takeRows, type Split } from '../data/split.js';
import {
  evaluateModel,
  evaluationCurves,
  scoreReference,
  tuneThreshold,
  type EvaluationCurves,
  type ModelEvaluation,
} from '../evaluation/index.js';
import { renderReport } from '../report/document.js';
import { modelReportData } from './report.js';
import { trainForest, type Forest, type ModelParams, type TrainingSet } from '../forest/index.js';
import type { Logger } from '../logging/logger.js';
import { ModelRegistry, type ModelMetadata } from '../registry/registry.js';
import type { ModelToSave } from '../registry/model-file.js';
import { newVersionId } from '../registry/version-id.js';
import { InputError } from '../common/errors.js';

export interface TrainJobOptions extends Omit<LabelledReadOptions, 'onProgress'>, FitSettings {
  data: string;
  modelsDir: string;
}

export interface TrainResult extends ModelEvaluation {
  version: string;
  createdAt: string;
  params: ModelParams;
  modelPath: string;
  /** Rows the saved forest was grown on (the training share). */
  samples: number;
  holdoutRows: number;
  trainingSeconds: number;
  featureImportances: Record<string, number>;
  missingTarget: number;
}

export async function trainModel(options: TrainJobOptions, log: Logger): Promise<TrainResult> {
  const readStarted = performance.now();
  log.info('reading training data', { file: options.data, target: options.target });
  const table = await readLabelledTable(options.data, options);
  const readSeconds = secondsSince(readStarted);
  reportTable(table, log);

  const fitted = await fitAndEvaluate(table, options, log);
  const version = buildVersion(table, fitted, options, readSeconds);
  const registry = new ModelRegistry(options.modelsDir);
  const modelPath = await saveVersion(registry, version);
  await registry.promote(version.model.version, { justSaved: true });
  log.success('model saved and promoted to champion', {
    version: version.model.version,
    modelPath,
    ...roundedMetrics(fitted.evaluation),
  });
  return trainResult(version.metadata, fitted, modelPath);
}

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
  return {
    ...fitted,
    split,
    holdout,
    holdoutScores,
    evaluation,
    evaluationSeconds: secondsSince(evaluationStarted),
  };
}

export interface BuiltVersion {
  model: ModelToSave;
  metadata: ModelMetadata;
  /** The holdout's curves, kept beside the model for its reports. */
  curves: EvaluationCurves;
}

/** The model file, metadata and holdout curves of a fitted model, under a new version. */
export function buildVersion(
  table: LabelledTable,
  fitted: FittedModel,
  settings: FitSettings,
  readSeconds: number,
  status?: ModelMetadata['status'],
): BuiltVersion {
  const createdAt = new Date();
  const version = newVersionId(createdAt);
  const featureImportances = Object.fromEntries(
    fitted.forest.features.map((feature, f) => [
      feature.name,
      Number(fitted.forest.featureImportances[f].toFixed(6)),
    ]),
  );
  const { evaluation, split } = fitted;
  const metadata: ModelMetadata = {
    version,
    createdAt: createdAt.toISOString(),
    churnVersion: churnVersion(),
    ...(status ? { status } : {}),
    data: {
      file: table.name,
      sha256: table.fingerprint,
      rowsRead: table.rowsRead,
      missingTarget: table.missingTarget,
      trainRows: split.train.length,
      holdoutRows: split.holdout.length,
      churnRate: positiveShare(table.labels),
    },
    params: fitted.forest.params,
    threshold: fitted.threshold,
    beta: settings.beta,
    metrics: evaluation.metrics,
    ratings: evaluation.ratings,
    confusionMatrix: evaluation.confusionMatrix,
    outOfBagFBeta: fitted.outOfBagFBeta,
    featureImportances,
    durations: {
      readSeconds,
      trainingSeconds: fitted.seconds,
      evaluationSeconds: fitted.evaluationSeconds,
    },
  };
  const model: ModelToSave = {
    version,
    createdAt: metadata.createdAt,
    churnVersion: metadata.churnVersion,
    schema: table.schema,
    threshold: fitted.threshold,
    beta: settings.beta,
    scoreReference: scoreReference(fitted.holdoutScores),
    forest: fitted.forest,
  };
  return { model, metadata, curves: evaluationCurves(fitted.holdout.labels, fitted.holdoutScores) };
}

/** Saves a version with its report beside it (the report shows no champion badge: that changes). */
export function saveVersion(registry: ModelRegistry, version: BuiltVersion): Promise<string> {
  const status = version.metadata.status === 'rejected' ? 'rejected' : null;
  const report = renderReport(modelReportData(version.metadata, version.curves, status));
  return registry.save(version.model, version.metadata, { curves: version.curves, report });
}

function trainResult(metadata: ModelMetadata, fitted: FittedModel, modelPath: string): TrainResult {
  return {
    ...fitted.evaluation,
    version: metadata.version,
    createdAt: metadata.createdAt,
    params: metadata.params,
    modelPath,
    samples: fitted.split.train.length,
    holdoutRows: fitted.split.holdout.length,
    trainingSeconds: fitted.seconds,
    featureImportances: metadata.featureImportances,
    missingTarget: metadata.data.missingTarget,
  };
}

export function reportTable(table: LabelledTable, log: Logger): void {
  log.info('read training data', {
    file: table.name,
    rows: table.rowsRead,
    delimiter: table.delimiter,
    features: table.schema.features.map((feature) => `${feature.name}:${feature.kind}`).join(' '),
    churnRate: Number(positiveShare(table.labels).toFixed(4)),
    positiveLabel: table.schema.labels.positive,
    sha256: table.fingerprint,
  });
  if (table.missingTarget > 0) {
    log.warn(
      `dropped ${table.missingTarget} row(s) of ${table.name} with no ${table.schema.target} value`,
      { dropped: table.missingTarget },
    );
  }
  for (const stray of table.strayText) {
    log.warn(
      `${table.name}, column "${stray.column}": read ${stray.cells} value(s) that are not numbers as ` +
        `missing (the first, "${stray.example}", on line ${stray.line}); pass --categorical ` +
        `${stray.column} to keep them as categories`,
      { column: stray.column, cells: stray.cells },
    );
  }
  if (table.schema.ignored.length > 0) {
    log.warn(`ignored ${table.schema.ignored.join(', ')} of ${table.name}`);
  }
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

function positiveShare(labels: Uint8Array): number {
  let positives = 0;
  for (const label of labels) positives += label;
  return labels.length > 0 ? positives / labels.length : 0;
}

function roundedMetrics({ metrics }: ModelEvaluation): Record<string, number> {
  return Object.fromEntries(
    Object.entries(metrics).map(([name, value]) => [name, Number(value.toFixed(4))]),
  );
}

export function secondsSince(started: number): number {
  return Number(((performance.now() - started) / 1000).toFixed(3));
}
