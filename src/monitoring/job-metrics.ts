/**
 * The metric families every job publishes, in a registry of its own per run. Names are part of
 * the product: the dashboards and alert rules select on them, so they change only with those.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModelMetrics } from '../evaluation/index.js';
import type { ModelParams } from '../forest/index.js';
import type { ModelMetadata } from '../registry/registry.js';
import type { RunState } from './run-state.js';

export type JobName = 'churn_train' | 'churn_predict' | 'churn_retrain' | 'churn_export_metrics';

export interface ModelFigures {
  version: string;
  createdAt: string;
  metrics: ModelMetrics;
  trainingSeconds: number;
  samples: number;
  params: ModelParams;
}

export interface PredictionFigures {
  /** Rows this run scored. */
  rows: number;
  riskLevels: Record<'low' | 'medium' | 'high', number>;
  averageScore: number;
}

const MODEL_GAUGES: Array<[keyof ModelMetrics, string, string]> = [
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

export const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

export class JobMetrics {
  readonly registry = new Registry();
  /** False for runs that must leave no trace, such as a dry run. */
  publish = true;
  private scores: Histogram | null = null;

  /** `state` keeps the counters that accumulate over runs, under `group`. */
  constructor(
    readonly job: JobName,
    private readonly state: RunState,
    private readonly group: string,
  ) {}

  /** A trained model's quality, size and settings (train, retrain, export-metrics). */
  recordModel(model: ModelFigures): void {
    for (const [key, name, help] of MODEL_GAUGES) this.gauge(name, help).set(model.metrics[key]);
    this.gauge('churn_training_duration_seconds', 'Seconds spent growing the model.').set(
      model.trainingSeconds,
    );
    this.gauge('churn_training_samples', 'Rows the model was grown on.').set(model.samples);
    this.gauge(
      'churn_model_created_timestamp_seconds',
      'When the model was created, in seconds since the Unix epoch.',
    ).set(Date.parse(model.createdAt) / 1000);
    this.recordModelInfo(model.version, model.params);
  }

  /** A model as the registry records it (export-metrics, and the champion after a retrain). */
  recordRegisteredModel(metadata: ModelMetadata): void {
    this.recordModel({
      version: metadata.version,
      createdAt: metadata.createdAt,
      metrics: metadata.metrics,
      trainingSeconds: metadata.durations.trainingSeconds,
      samples: metadata.data.trainRows,
      params: metadata.params,
    });
  }

  /** Always 1; its labels name the model version and its main hyperparameters. */
  recordModelInfo(version: string, params: ModelParams): void {
    modelInfoGauge(this.registry).set(modelInfoLabels(version, params), 1);
  }

  /** A successful scoring run: counts its rows into the running total. */
  async recordPredictions(figures: PredictionFigures): Promise<void> {
    const total = await this.state.add(this.group, 'churn_predictions_total', figures.rows);
    this.predictionsCounter(total);
    const byLevel = new Gauge({
      name: 'churn_predictions_by_risk_level',
      help: 'Customers of the last batch at each risk level.',
      labelNames: ['level'],
      registers: [this.registry],
    });
    for (const [level, count] of Object.entries(figures.riskLevels)) byLevel.set({ level }, count);
    this.gauge('churn_prediction_score_average', 'Mean churn probability of the last batch.').set(
      figures.averageScore,
    );
  }

  /** How many shards the batch was cut into: every shard's group says, for ScoringShardsMissing. */
  recordShards(count: number): void {
    this.gauge(
      'churn_prediction_shards',
      'Shards the batch was cut into, pushed by each shard of a sharded scoring run.',
    ).set(count);
  }

  /** Population stability index of each feature, and of the scores, against training. */
  recordDrift(features: Record<string, number>, score: number | null): void {
    const perFeature = new Gauge({
      name: 'churn_feature_drift_psi',
      help: 'Population stability index of a feature in the last batch against the training rows.',
      labelNames: ['feature'],
      registers: [this.registry],
    });
    for (const [feature, value] of Object.entries(features)) perFeature.set({ feature }, value);
    if (score !== null) {
      this.gauge(
        'churn_prediction_score_drift_psi',
        "Population stability index of the last batch's scores against the model's holdout scores.",
      ).set(score);
    }
  }

  /** Adds a batch's scores to the score histogram of this run. */
  observeScores(scores: Float64Array): void {
    this.scores ??= new Histogram({
      name: 'churn_prediction_score',
      help: 'Churn probabilities of the last batch.',
      buckets: SCORE_BUCKETS,
      registers: [this.registry],
    });
    for (const score of scores) this.scores.observe(score);
  }

  /** A retraining run's outcome, counted into the running totals of both outcomes. */
  async recordRetraining(outcome: 'promoted' | 'kept'): Promise<void> {
    await this.state.add(this.group, `churn_retraining_total:${outcome}`, 1);
    this.retrainingCounter((outcome) =>
      this.state.total(this.group, `churn_retraining_total:${outcome}`),
    );
  }

  /** The running totals of the scoring and retraining jobs, all groups together. */
  recordTotals(): void {
    this.predictionsCounter(this.state.jobTotal('churn_predict', 'churn_predictions_total'));
    this.retrainingCounter((outcome) =>
      this.state.jobTotal('churn_retrain', `churn_retraining_total:${outcome}`),
    );
  }

  recordSuccess(durationSeconds: number, at: Date): void {
    this.gauge('churn_job_duration_seconds', 'Seconds the last run of the job took.').set(
      durationSeconds,
    );
    this.gauge(
      'churn_job_last_success_timestamp_seconds',
      'When the job last succeeded, in seconds since the Unix epoch.',
    ).set(at.getTime() / 1000);
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  private predictionsCounter(total: number): void {
    new Counter({
      name: 'churn_predictions_total',
      help: 'Customers scored, over every run.',
      registers: [this.registry],
    }).inc(total);
  }

  private retrainingCounter(totalOf: (outcome: 'promoted' | 'kept') => number): void {
    const counter = new Counter({
      name: 'churn_retraining_total',
      help: 'Retraining runs by outcome, over every run.',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    for (const outcome of ['promoted', 'kept'] as const) counter.inc({ outcome }, totalOf(outcome));
  }
}

export const FAILURE_FAMILY = 'churn_job_last_failure_timestamp_seconds';

/** What a failed run publishes: its failure time, and nothing that would hide the last good run. */
export function failureExposition(at: Date): Promise<string> {
  const registry = new Registry();
  new Gauge({
    name: FAILURE_FAMILY,
    help: 'When the job last failed, in seconds since the Unix epoch.',
    registers: [registry],
  }).set(at.getTime() / 1000);
  return registry.metrics();
}
