/**
 * The families that describe a model: its holdout figures from training (`churn_model_*`), its
 * figures on the latest labelled batch (`churn_live_*`), and its version and settings. The
 * champion's group carries both; `churn evaluate` and `churn retrain` carry the live ones of the
 * evaluation they ran.
 */
import { Gauge, type Registry } from 'prom-client';
import type { ModelMetrics } from '../evaluation/index.js';
import type { ModelParams } from '../forest/index.js';
import type { EvaluationRecord, LiveMetrics } from '../registry/evaluations.js';

export interface ModelFigures {
  version: string;
  createdAt: string;
  metrics: ModelMetrics;
  trainingSeconds: number;
  samples: number;
  params: ModelParams;
}

const HOLDOUT_GAUGES: Array<[keyof ModelMetrics, string, string]> = [
  ['rocAuc', 'churn_model_roc_auc', 'ROC AUC of the model on its holdout rows.'],
  ['f2', 'churn_model_f2_score', 'F2 score of the model on its holdout rows, at its threshold.'],
  ['f1', 'churn_model_f1_score', 'F1 score of the model on its holdout rows, at its threshold.'],
  ['precision', 'churn_model_precision', 'Precision on the holdout rows, at the threshold.'],
  ['recall', 'churn_model_recall', 'Recall on the holdout rows, at the threshold.'],
  ['accuracy', 'churn_model_accuracy', 'Accuracy on the holdout rows, at the threshold.'],
  [
    'threshold',
    'churn_model_threshold',
    'Churn probability from which a customer is predicted to churn.',
  ],
];

const LIVE_GAUGES: Array<[keyof LiveMetrics, string, string]> = [
  ['rocAuc', 'churn_live_roc_auc', 'ROC AUC of the model on the latest labelled batch.'],
  ['f2', 'churn_live_f2_score', 'F2 score on the latest labelled batch, at the threshold.'],
  ['f1', 'churn_live_f1_score', 'F1 score on the latest labelled batch, at the threshold.'],
  ['precision', 'churn_live_precision', 'Precision on the latest labelled batch.'],
  ['recall', 'churn_live_recall', 'Recall on the latest labelled batch.'],
  ['accuracy', 'churn_live_accuracy', 'Accuracy on the latest labelled batch.'],
  ['brierScore', 'churn_live_brier_score', 'Brier score of the latest labelled batch.'],
  ['logLoss', 'churn_live_log_loss', 'Log loss of the latest labelled batch.'],
];

export function addModelFamilies(registry: Registry, model: ModelFigures): void {
  for (const [key, name, help] of HOLDOUT_GAUGES)
    gauge(registry, name, help).set(model.metrics[key]);
  gauge(registry, 'churn_training_duration_seconds', 'Seconds spent growing the model.').set(
    model.trainingSeconds,
  );
  gauge(registry, 'churn_training_samples', 'Rows the model was grown on.').set(model.samples);
  gauge(
    registry,
    'churn_model_created_timestamp_seconds',
    'When the model was created, in seconds since the Unix epoch.',
  ).set(Date.parse(model.createdAt) / 1000);
  addModelInfo(registry, model.version, model.params);
}

/** Always 1; its labels name the model version and its main hyperparameters. */
export function addModelInfo(registry: Registry, version: string, params: ModelParams): void {
  modelInfoGauge(registry).set(modelInfoLabels(version, params), 1);
}

/** `churn_model_info`: the model in use, its version and main hyperparameters as labels. */
export function modelInfoGauge(registry: Registry): Gauge {
  return new Gauge({
    name: 'churn_model_info',
    help: 'The model in use: its version and main hyperparameters as labels (value always 1).',
    labelNames: [
      'version',
      'trees',
      'max_depth',
      'min_samples_leaf',
      'max_features',
      'class_weight',
    ],
    registers: [registry],
  });
}

export function modelInfoLabels(version: string, params: ModelParams): Record<string, string> {
  return {
    version,
    trees: String(params.trees),
    max_depth: String(params.maxDepth ?? 'none'),
    min_samples_leaf: String(params.minSamplesLeaf),
    max_features: String(params.maxFeatures),
    class_weight: params.classWeight,
  };
}

/** A model's figures on a labelled batch, as an evaluation recorded them. */
export function addLiveFamilies(registry: Registry, version: string, live: EvaluationRecord): void {
  for (const [key, name, help] of LIVE_GAUGES) gauge(registry, name, help).set(live.metrics[key]);
  gauge(registry, 'churn_live_rows', 'Labelled rows of the latest batch evaluated.').set(live.rows);
  gauge(registry, 'churn_live_churn_rate', 'Share of the latest labelled batch that churned.').set(
    live.churnRate,
  );
  gauge(
    registry,
    'churn_live_evaluated_timestamp_seconds',
    'When the latest labelled batch was evaluated, in seconds since the Unix epoch.',
  ).set(Date.parse(live.evaluatedAt) / 1000);
  new Gauge({
    name: 'churn_live_info',
    help: 'The latest labelled batch evaluated: the model version and the batch name as labels (value always 1).',
    labelNames: ['version', 'batch'],
    registers: [registry],
  }).set({ version, batch: live.batch }, 1);
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  return new Gauge({ name, help, registers: [registry] });
}
