/**
 * `churn report`: a model's report as one HTML file: its holdout evaluation as stored in the
 * registry and, given a labelled file, its evaluation and drift on that file.
 */
import { displayPath } from '../common/paths.js';
import { churnVersion } from '../common/version.js';
import { writeFileAtomic } from '../common/atomic-file.js';
import { readLabelledTable } from '../data/labelled-table.js';
import { recodeForSchema } from '../data/recode.js';
import {
  BatchDrift,
  evaluateModel,
  evaluationCurves,
  type EvaluationCurves,
} from '../evaluation/index.js';
import type { Logger } from '../logging/logger.js';
import type { Delimiter } from '../data/delimiter.js';
import {
  renderReport,
  type DriftSection,
  type EvaluatedSet,
  type ReportData,
} from '../report/document.js';
import { ModelRegistry, type ModelMetadata } from '../registry/registry.js';
import type { LoadedModel } from '../registry/model-file.js';
import type { ExplanationSummary } from '../evaluation/explanations.js';
import type { FeatureColumn } from '../forest/index.js';
import { explanationSummary } from './explanation-summary.js';
import { calibrationOf, churnProbabilities } from './scoring/probability.js';

export interface ReportJobOptions {
  model?: string;
  modelsDir: string;
  /** A labelled file to evaluate the model on, and measure drift against. */
  data?: string;
  delimiter?: Delimiter;
  maxFieldSize?: number;
  out: string;
  cwd: string;
  driftWarnPsi: number;
}

export interface ReportResult {
  out: string;
  version: string;
  /** Each evaluated set's title, rows and metrics: the holdout, then `--data`. */
  sets: Array<{ title: string; rows: number; metrics: EvaluatedSet['evaluation']['metrics'] }>;
  drift: Record<string, number> | null;
  scoreDrift: number | null;
}

export async function writeReport(options: ReportJobOptions, log: Logger): Promise<ReportResult> {
  const registry = new ModelRegistry(options.modelsDir);
  const loaded = await registry.find(options.model, options.cwd);
  const metadata = await registry.metadataBeside(loaded.path);
  const champion = await registry.championVersion();
  const status =
    metadata.status === 'rejected' ? 'rejected' : metadata.version === champion ? 'champion' : null;
  const data = modelReportData(
    metadata,
    await registry.curvesBeside(loaded.path),
    status,
    await registry.explanationsBeside(loaded.path),
  );
  if (options.data) {
    const { set, drift, columns } = await evaluateOnFile(loaded, options, log);
    data.sets.push(set);
    data.drift = drift;
    // A model saved before its holdout was explained is explained on the file instead.
    if (!data.explanations) {
      data.explanations = await explanationSummary(
        loaded.forest,
        columns,
        loaded.model.schema,
        calibrationOf(loaded.model),
      );
      data.explainedSet = set.title;
    }
  }
  await writeFileAtomic(options.out, renderReport(data));
  log.success('wrote model report', { version: metadata.version, out: displayPath(options.out) });
  return {
    out: displayPath(options.out),
    version: metadata.version,
    sets: data.sets.map((set) => ({
      title: set.title,
      rows: set.rows,
      metrics: set.evaluation.metrics,
    })),
    drift: data.drift ? Object.fromEntries(data.drift.features.map((f) => [f.name, f.psi])) : null,
    scoreDrift: data.drift?.score ?? null,
  };
}

/** What the report shows of a registered model, from its metadata and stored curves. */
export function modelReportData(
  metadata: ModelMetadata,
  curves: EvaluationCurves | null,
  status: ReportData['status'],
  explanations: ExplanationSummary | null,
): ReportData {
  return {
    version: metadata.version,
    createdAt: metadata.createdAt,
    generatedAt: new Date().toISOString(),
    churnVersion: churnVersion(),
    status,
    trainingFile: metadata.data.file,
    trainRows: metadata.data.trainRows,
    churnRate: metadata.data.churnRate,
    params: metadata.params,
    beta: metadata.beta,
    trainingSeconds: metadata.durations.trainingSeconds,
    featureImportances: metadata.featureImportances,
    explanations,
    explainedSet: 'the holdout',
    calibration: metadata.calibration?.method ?? null,
    tuning: metadata.tuning ?? null,
    sets: [
      {
        title: 'holdout',
        rows: metadata.data.holdoutRows,
        evaluation: {
          metrics: metadata.metrics,
          ratings: metadata.ratings,
          confusionMatrix: metadata.confusionMatrix,
        },
        curves,
      },
    ],
  };
}

async function evaluateOnFile(
  loaded: LoadedModel,
  options: ReportJobOptions,
  log: Logger,
): Promise<{ set: EvaluatedSet; drift: DriftSection; columns: FeatureColumn[] }> {
  const { model } = loaded;
  const file = options.data!;
  const table = await readLabelledTable(file, {
    target: model.schema.target,
    id: model.schema.id,
    positiveLabel: model.schema.labels.positive,
    categorical: model.schema.features.filter((f) => f.kind === 'categorical').map((f) => f.name),
    numeric: model.schema.features.filter((f) => f.kind === 'numeric').map((f) => f.name),
    delimiter: options.delimiter,
    maxFieldSize: options.maxFieldSize,
  });
  const columns = recodeForSchema(table.features, table.schema, model.schema, table.name);
  const scores = churnProbabilities(loaded, columns);
  // readLabelledTable has refused a file with a single class: the metrics below need both.
  const evaluation = evaluateModel(table.labels, scores, model.threshold);
  const drift = new BatchDrift(model.schema.features, model.scoreReference);
  drift.addColumns(columns);
  drift.addScores(scores);
  log.info('evaluated the model on a labelled file', {
    file: table.name,
    rows: scores.length,
    rocAuc: Number(evaluation.metrics.rocAuc.toFixed(4)),
    f2: Number(evaluation.metrics.f2.toFixed(4)),
  });
  const featurePsi = drift.featurePsi();
  return {
    set: {
      title: table.name,
      rows: scores.length,
      evaluation,
      curves: evaluationCurves(table.labels, scores),
    },
    drift: {
      file: table.name,
      features: Object.entries(featurePsi).map(([name, psi]) => ({ name, psi })),
      score: drift.scorePsi(),
      warnPsi: options.driftWarnPsi,
    },
    columns,
  };
}
