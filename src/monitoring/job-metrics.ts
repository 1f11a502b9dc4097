/**
 * The metric families a job run publishes, in a registry of its own per run. Names are part of
 * the product: the dashboards and alert rules select on them, so they change only with those.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DriftReport } from '../evaluation/index.js';
import type { ModelParams } from '../forest/index.js';
import type { EvaluationRecord } from '../registry/evaluations.js';
import { addLiveFamilies, addModelInfo } from './model-figures.js';
import type { RunState } from './run-state.js';

export type JobName =
  'churn_train' | 'churn_predict' | 'churn_retrain' | 'churn_evaluate' | 'churn_export_metrics';

export interface PredictionFigures {
  /** Rows this run scored. */
  rows: number;
  riskLevels: Record<'low' | 'medium' | 'high', number>;
  averageScore: number;
}

export const RETRAINING_OUTCOMES = ['promoted', 'kept', 'unchanged'] as const;
export type RetrainingOutcome = (typeof RETRAINING_OUTCOMES)[number];

export const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

export const FAILURES_COUNTER = 'churn_job_failures_total';

export class JobMetrics {
  readonly registry = new Registry();
  /** False for runs that must leave no trace, such as a dry run. */
  publish = true;
  /** The run changed the champion or its evaluations: its group is published again. */
  championChanged = false;
  private scores: Histogram | null = null;

  /** `state` keeps the counters that accumulate over runs, under `group`. */
  constructor(
    readonly job: JobName,
    readonly state: RunState,
    readonly group: string,
  ) {}

  /** Always 1; its labels name the model version and its main hyperparameters. */
  recordModelInfo(version: string, params: ModelParams): void {
    addModelInfo(this.registry, version, params);
  }

  /** A model's figures on a labelled batch (evaluate, and retrain on its new rows). */
  recordLive(version: string, evaluation: EvaluationRecord): void {
    addLiveFamilies(this.registry, version, evaluation);
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

  /** Each feature's PSI and distance, the share that drifted, and the scores' PSI. */
  recordDrift(drift: DriftReport): void {
    const psi = new Gauge({
      name: 'churn_feature_drift_psi',
      help: 'Population stability index of a feature in the last batch against the training rows.',
      labelNames: ['feature'],
      registers: [this.registry],
    });
    const distance = new Gauge({
      name: 'churn_feature_drift_distance',
      help: 'Distance of a feature in the last batch from the training rows: Wasserstein over the training standard deviation for numbers, Jensen-Shannon for categories.',
      labelNames: ['feature', 'method'],
      registers: [this.registry],
    });
    for (const [feature, figures] of Object.entries(drift.features)) {
      psi.set({ feature }, figures.psi);
      if (figures.distance !== null)
        distance.set({ feature, method: figures.method }, figures.distance);
    }
    this.gauge(
      'churn_dataset_drift_share',
      'Share of the features of the last batch whose distance says they drifted.',
    ).set(drift.share);
    if (drift.score !== null) {
      this.gauge(
        'churn_prediction_score_drift_psi',
        "Population stability index of the last batch's scores against the model's holdout scores.",
      ).set(drift.score);
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

  /** A retraining run's outcome, counted into the running totals of every outcome. */
  async recordRetraining(outcome: RetrainingOutcome): Promise<void> {
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

  /** The run's health: how long it took, its CPU time and peak memory, and its job's failures. */
  recordSuccess(durationSeconds: number, at: Date): void {
    this.gauge('churn_job_duration_seconds', 'Seconds the last run of the job took.').set(
      durationSeconds,
    );
    this.gauge(
      'churn_job_last_success_timestamp_seconds',
      'When the job last succeeded, in seconds since the Unix epoch.',
    ).set(at.getTime() / 1000);
    const { user, system } = process.cpuUsage();
    this.gauge(
      'churn_job_cpu_seconds',
      'CPU seconds the last successful run used, every thread together.',
    ).set((user + system) / 1e6);
    this.gauge(
      'churn_job_peak_memory_bytes',
      'Peak resident memory of the last successful run, in bytes.',
    ).set(process.resourceUsage().maxRSS * 1024);
    failuresCounter(this.registry, this.state.total(this.group, FAILURES_COUNTER));
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

  private retrainingCounter(totalOf: (outcome: RetrainingOutcome) => number): void {
    const counter = new Counter({
      name: 'churn_retraining_total',
      help: 'Retraining runs by outcome, over every run.',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    for (const outcome of RETRAINING_OUTCOMES) counter.inc({ outcome }, totalOf(outcome));
  }
}

export const FAILURE_FAMILY = 'churn_job_last_failure_timestamp_seconds';

/** What a failed run publishes: its failure time and its job's failures, nothing else. */
export function failureExposition(at: Date, failures: number): Promise<string> {
  const registry = new Registry();
  new Gauge({
    name: FAILURE_FAMILY,
    help: 'When the job last failed, in seconds since the Unix epoch.',
    registers: [registry],
  }).set(at.getTime() / 1000);
  failuresCounter(registry, failures);
  return registry.metrics();
}

function failuresCounter(registry: Registry, total: number): void {
  new Counter({
    name: FAILURES_COUNTER,
    help: 'Failed runs of the job, over every run.',
    registers: [registry],
  }).inc(total);
}
