/**
 * A fitted model as a registry version: the model file, its metadata and holdout curves under a
 * new version id, saved with its report beside it.
 */
import { churnVersion } from '../common/version.js';
import type { LabelledTable } from '../data/labelled-table.js';
import {
  brierScore,
  evaluationCurves,
  logLoss,
  profileScores,
  type EvaluationCurves,
} from '../evaluation/index.js';
import type { ExplanationSummary } from '../evaluation/explanations.js';
import type { ModelToSave } from '../registry/model-file.js';
import type { ModelMetadata, ModelRegistry } from '../registry/registry.js';
import { newVersionId } from '../registry/version-id.js';
import { renderReport } from '../report/document.js';
import type { FitSettings, FittedModel } from './fit.js';
import { modelReportData } from './report.js';
import { positiveShare } from './training-table.js';

export interface BuiltVersion {
  model: ModelToSave;
  metadata: ModelMetadata;
  /** The holdout's curves, kept beside the model for its reports. */
  curves: EvaluationCurves;
  /** What drives the holdout's scores, kept beside it too. */
  explanations: ExplanationSummary | null;
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
    calibration: {
      method: fitted.calibration.method,
      brierScore: round6(brierScore(fitted.holdout.labels, fitted.holdoutScores)),
      logLoss: round6(logLoss(fitted.holdout.labels, fitted.holdoutScores)),
    },
    ...(fitted.tuning ? { tuning: fitted.tuning } : {}),
  };
  const model: ModelToSave = {
    version,
    createdAt: metadata.createdAt,
    churnVersion: metadata.churnVersion,
    schema: table.schema,
    threshold: fitted.threshold,
    beta: settings.beta,
    scoreReference: profileScores(fitted.holdoutScores),
    calibration: fitted.calibration,
    forest: fitted.forest,
  };
  return {
    model,
    metadata,
    curves: evaluationCurves(fitted.holdout.labels, fitted.holdoutScores),
    explanations: fitted.explanations,
  };
}

/** Saves a version with its report beside it (the report shows no champion badge: that changes). */
export function saveVersion(registry: ModelRegistry, version: BuiltVersion): Promise<string> {
  const status = version.metadata.status === 'rejected' ? 'rejected' : null;
  const { curves, explanations } = version;
  const report = renderReport(modelReportData(version.metadata, curves, status, explanations));
  return registry.save(version.model, version.metadata, { curves, explanations, report });
}

const round6 = (value: number) => Number(value.toFixed(6));
