/**
 * `churn train`: read a labelled CSV, hold out a stratified share, grow the forest on the rest,
 * tune the decision threshold on its out-of-bag predictions, judge it on the holdout, and store
 * that very model in the registry as the new champion.
 */
import { secondsSince } from '../common/elapsed.js';
import { readLabelledTable, type LabelledReadOptions } from '../data/labelled-table.js';
import type { ModelEvaluation } from '../evaluation/index.js';
import type { ModelParams } from '../forest/index.js';
import type { Logger } from '../logging/logger.js';
import { ModelRegistry, type ModelMetadata } from '../registry/registry.js';
import { fitAndEvaluate, type FitSettings, type FittedModel } from './fit.js';
import { buildVersion, saveVersion } from './model-version.js';
import { logTrainingTable } from './training-table.js';

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
  calibration: ModelMetadata['calibration'];
  tuning: ModelMetadata['tuning'] | null;
}

export async function trainModel(options: TrainJobOptions, log: Logger): Promise<TrainResult> {
  const readStarted = performance.now();
  log.info('reading training data', { file: options.data, target: options.target });
  const table = await readLabelledTable(options.data, options);
  const readSeconds = secondsSince(readStarted);
  logTrainingTable(table, log);

  const fitted = await fitAndEvaluate(table, options, log);
  const version = buildVersion(table, fitted, options, readSeconds);
  const registry = new ModelRegistry(options.modelsDir);
  const modelPath = await registry.locked('train', async () => {
    const saved = await saveVersion(registry, version);
    await registry.promote(version.model.version, { justSaved: true });
    return saved;
  });
  log.success('model saved and promoted to champion', {
    version: version.model.version,
    modelPath,
    ...roundedMetrics(fitted.evaluation),
  });
  return trainResult(version.metadata, fitted, modelPath);
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
    calibration: metadata.calibration,
    tuning: metadata.tuning ?? null,
  };
}

function roundedMetrics({ metrics }: ModelEvaluation): Record<string, number> {
  return Object.fromEntries(
    Object.entries(metrics).map(([name, value]) => [name, Number(value.toFixed(4))]),
  );
}
