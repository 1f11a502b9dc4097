/**
 * The dashboards: what each panel shows and why (API health in api-health.ts). `npm run dashboards` renders them to
 * monitoring/grafana/dashboards/; a test runs every query against a live Prometheus.
 */
import { apiHealth } from './api-health.js';
import {
  higherIsBetter,
  lowerIsBetter,
  type AnnotationSpec,
  type DashboardSpec,
  type PanelSpec,
} from './panels.js';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';
import {
  byVersion,
  champion,
  DRIFT_STEPS,
  FEATURE_DISTANCE,
  FEATURE_DRIFT,
  FIRING_ALERTS,
  HIGH_RISK_SHARE,
  LAST_RUN_FAILED,
  RISK_LEVELS,
  SINCE_LAST_SUCCESS,
} from './queries.js';

const DAY = 86400;
/** How far a live figure may fall below the holdout's: ModelPerformanceDegraded's margin. */
const MAX_DROP = CONFIG_SCHEMA['quality.maxDrop'].default;
/** The course's rating boundaries: acceptable from 0.7, good from 0.8. */
const QUALITY = higherIsBetter(0.7, 0.8);
const FRESHNESS = lowerIsBetter(DAY + 2 * 3600, 8 * DAY);
const FAILED_MAPPINGS = [
  { value: 0, text: 'OK', color: 'green' },
  { value: 1, text: 'FAILED', color: 'red' },
];

function modelStat(title: string, metric: string, description: string): PanelSpec {
  return {
    type: 'stat',
    title,
    description,
    width: 4,
    height: 4,
    queries: [{ expr: champion(metric), legend: '{{home}}', instant: true }],
    decimals: 3,
    min: 0,
    max: 1,
    steps: QUALITY,
  };
}

const f2 = modelStat(
  'F2 score',
  'churn_model_f2_score',
  'F2 of the champion on its holdout rows, at its tuned threshold (recall weighs twice precision). Alert LowF2Score below 0.7.',
);
const auc = modelStat(
  'ROC AUC',
  'churn_model_roc_auc',
  'ROC AUC of the champion on its holdout rows: how well it ranks leavers above stayers. Alert LowAUC below 0.75.',
);
const driftShare: PanelSpec = {
  type: 'stat',
  title: 'Drifted features, last batch',
  description:
    'Share of the features of the last batch of each job whose distance (Wasserstein over the training standard deviation for numbers, Jensen-Shannon for categories) says they drifted. Alert DatasetDrift from 50%.',
  width: 4,
  height: 4,
  queries: [{ expr: 'max by (job) (churn_dataset_drift_share)', legend: '{{job}}', instant: true }],
  unit: 'percentunit',
  decimals: 0,
  min: 0,
  max: 1,
  steps: lowerIsBetter(0.25, 0.5),
};

const driftShareOverTime: PanelSpec = {
  type: 'timeseries',
  title: 'Drift share over time',
  description: 'Share of drifted features of each batch scored (predict) or evaluated (evaluate).',
  width: 12,
  height: 8,
  queries: [{ expr: 'churn_dataset_drift_share', legend: '{{job}} {{home}}' }],
  unit: 'percentunit',
  min: 0,
  max: 1,
};

const featureDistance: PanelSpec = {
  type: 'bargauge',
  title: 'Feature drift (distance), last batch',
  description:
    'Distance of each feature of the last batch from the training rows: Wasserstein in training standard deviations for numbers, Jensen-Shannon (0 to 1) for categories and numbers with five values or fewer. From 0.1 a feature counts as drifted.',
  width: 12,
  height: 8,
  queries: [{ expr: FEATURE_DISTANCE, legend: '{{feature}} ({{method}})', instant: true }],
  decimals: 3,
  min: 0,
  max: 0.5,
  steps: [
    ['green', null],
    ['red', 0.1],
  ],
};

/** Each retrain (its last success changes) and each new champion, on every time series. */
const RETRAINS: AnnotationSpec = {
  name: 'Retrains',
  description: 'A mark at the end of each successful churn retrain.',
  expr: 'max by (home) (churn_job_last_success_timestamp_seconds{job="churn_retrain"}) * 1000',
  title: 'retrain',
  text: 'churn retrain ended ({{home}})',
  color: 'purple',
};
const PROMOTIONS: AnnotationSpec = {
  name: 'New champions',
  description: 'A mark at the creation of each model that became champion.',
  expr: `max by (home, version) (${champion('churn_model_created_timestamp_seconds')} * on (job, instance, home) group_left (version) ${champion('churn_model_info')}) * 1000`,
  title: 'new champion',
  text: 'champion {{version}} ({{home}})',
  color: 'green',
};

/** Each labelled batch the champion was judged on (churn evaluate, or retrain on its new rows). */
const EVALUATIONS: AnnotationSpec = {
  name: 'Labelled batches',
  description: 'A mark at each evaluation of the champion on a labelled batch.',
  expr: `max by (home, version, batch) (${champion('churn_live_evaluated_timestamp_seconds')} * on (job, instance, home) group_left (version, batch) ${champion('churn_live_info')}) * 1000`,
  title: 'labelled batch',
  text: '{{version}} evaluated on {{batch}} ({{home}})',
  color: 'blue',
};

/** A figure of the champion on its holdout and on the latest labelled batch, over time. */
function liveAgainstHoldout(
  title: string,
  holdoutMetric: string,
  liveMetric: string,
  alert: string,
): PanelSpec {
  return {
    type: 'timeseries',
    title,
    description:
      `${title.split(':')[0]} of the champion on its holdout rows (fixed until the next promotion) ` +
      `and on the latest labelled batch it was evaluated on (churn evaluate, or retrain on its new ` +
      `rows). ${alert}.`,
    width: 12,
    height: 8,
    queries: [
      { expr: `max by (home) (${champion(holdoutMetric)})`, legend: 'holdout {{home}}' },
      { expr: `max by (home) (${champion(liveMetric)})`, legend: 'live {{home}}' },
    ],
    min: 0,
    max: 1,
    decimals: 3,
  };
}

const liveDrop: PanelSpec = {
  type: 'stat',
  title: 'Live drop from holdout',
  description: `How far the champion's ROC AUC and F2 on the latest labelled batch fall below its holdout figures. Alert ModelPerformanceDegraded above ${MAX_DROP} (quality.maxDrop).`,
  width: 4,
  height: 4,
  queries: [
    {
      expr: `max by (home) (${champion('churn_model_roc_auc')} - ${champion('churn_live_roc_auc')})`,
      legend: 'ROC AUC {{home}}',
      instant: true,
    },
    {
      expr: `max by (home) (${champion('churn_model_f2_score')} - ${champion('churn_live_f2_score')})`,
      legend: 'F2 {{home}}',
      instant: true,
    },
  ],
  decimals: 3,
  steps: lowerIsBetter(MAX_DROP / 2, MAX_DROP),
};

const riskDistribution: PanelSpec = {
  type: 'piechart',
  title: 'Risk distribution, last batch',
  description:
    'Customers of the last scored batch at each risk level (cutoffs risk.medium and risk.high).',
  width: 8,
  height: 8,
  queries: [{ expr: RISK_LEVELS, legend: '{{level}}', instant: true }],
};

const highRiskCount: PanelSpec = {
  type: 'stat',
  title: 'High-risk customers, last batch',
  description:
    'Customers of the last scored batch whose churn probability is at or above risk.high.',
  width: 4,
  height: 4,
  queries: [{ expr: 'sum(churn_predictions_by_risk_level{level="high"})', instant: true }],
  steps: [['orange', null]],
};

const highRiskShare: PanelSpec = {
  type: 'stat',
  title: 'High-risk share, last batch',
  description:
    'High-risk customers as a share of the last batch. Alert HighRiskCustomersSpike above 25%.',
  width: 4,
  height: 4,
  queries: [{ expr: HIGH_RISK_SHARE, instant: true }],
  unit: 'percentunit',
  decimals: 1,
  steps: lowerIsBetter(0.15, 0.25),
};

const featureDrift: PanelSpec = {
  type: 'bargauge',
  title: 'Feature drift (PSI), last batch',
  description:
    'Population stability index of each feature in the last batch against the training rows: below 0.1 no shift, 0.1 to 0.25 moderate, above 0.25 significant (alert FeatureDrift).',
  width: 12,
  height: 8,
  queries: [{ expr: FEATURE_DRIFT, legend: '{{feature}}', instant: true }],
  decimals: 3,
  min: 0,
  max: 0.5,
  steps: DRIFT_STEPS,
};

const sinceLastSuccess: PanelSpec = {
  type: 'stat',
  title: 'Time since last success',
  description:
    'How long ago each job last succeeded. Alerts: PredictionsMissing after 26 hours without scoring, ModelStale after 8 days without training.',
  width: 12,
  height: 4,
  queries: [{ expr: SINCE_LAST_SUCCESS, legend: '{{job}}', instant: true }],
  unit: 'dtdurations',
  steps: FRESHNESS,
};

const lastRunStatus: PanelSpec = {
  type: 'stat',
  title: 'Last run',
  description: 'FAILED when a job failed after its last success (alert BatchJobFailed).',
  width: 12,
  height: 4,
  queries: [{ expr: `max by (job) (${LAST_RUN_FAILED})`, legend: '{{job}}', instant: true }],
  mappings: FAILED_MAPPINGS,
  steps: [
    ['green', null],
    ['red', 1],
  ],
};

export const overview: DashboardSpec = {
  uid: 'churn-overview',
  title: 'churn / Overview',
  description:
    'For a daily look: is the model good, did the jobs run, how many customers are at risk.',
  annotations: [RETRAINS, PROMOTIONS, EVALUATIONS],
  panels: [
    f2,
    auc,
    liveDrop,
    highRiskCount,
    highRiskShare,
    {
      type: 'stat',
      title: 'Customers scored',
      description: 'Customers scored over every run (churn_predictions_total, all instances).',
      width: 4,
      height: 4,
      queries: [{ expr: 'sum(churn_predictions_total)', instant: true }],
      unit: 'short',
    },
    {
      type: 'stat',
      title: 'Firing alerts',
      description: 'Alerts firing now; the table below names them.',
      width: 4,
      height: 4,
      queries: [{ expr: `count(${FIRING_ALERTS}) or vector(0)`, instant: true }],
      steps: [
        ['green', null],
        ['red', 1],
      ],
    },
    sinceLastSuccess,
    lastRunStatus,
    riskDistribution,
    {
      type: 'table',
      title: 'Active alerts',
      description: 'Alerts firing now, with their labels. Alertmanager routes them by severity.',
      width: 16,
      height: 8,
      queries: [{ expr: FIRING_ALERTS, instant: true, format: 'table' }],
      hide: ['Time', 'Value', '__name__', 'alertstate'],
    },
    featureDrift,
    {
      type: 'timeseries',
      title: 'Average churn score',
      description:
        'Mean churn probability of each scored batch. Alert ChurnScoreIncrease when it rises more than 0.1 in a day.',
      width: 12,
      height: 8,
      queries: [{ expr: 'churn_prediction_score_average', legend: '{{home}} {{instance}}' }],
      min: 0,
      max: 1,
      decimals: 3,
    },
    driftShareOverTime,
  ],
};

export const batchJobs: DashboardSpec = {
  uid: 'churn-jobs',
  title: 'churn / Batch jobs',
  description:
    'Did each job run, how long it took, whether it failed, and whether its metrics arrived.',
  panels: [
    sinceLastSuccess,
    lastRunStatus,
    {
      type: 'bargauge',
      title: 'Duration of the last run',
      description: 'Seconds the last successful run of each job took (churn_job_duration_seconds).',
      width: 8,
      height: 8,
      queries: [
        { expr: 'max by (job) (churn_job_duration_seconds)', legend: '{{job}}', instant: true },
      ],
      unit: 's',
      min: 0,
      steps: [['blue', null]],
    },
    {
      type: 'timeseries',
      title: 'Run durations',
      description: 'Duration of each successful run over time; a step up is a slower run.',
      width: 16,
      height: 8,
      queries: [{ expr: 'churn_job_duration_seconds', legend: '{{job}} {{instance}}' }],
      unit: 's',
      min: 0,
    },
    {
      type: 'table',
      title: 'Last failures',
      description: 'When each job last failed; a failure older than its last success is history.',
      width: 12,
      height: 7,
      queries: [
        {
          expr: 'churn_job_last_failure_timestamp_seconds * 1000',
          instant: true,
          format: 'table',
        },
      ],
      unit: 'dateTimeAsIso',
      hide: ['Time', '__name__'],
    },
    {
      type: 'stat',
      title: 'Push freshness',
      description:
        'Time since each job last pushed to the Pushgateway (push_time_seconds, set by the gateway), failures included.',
      width: 12,
      height: 7,
      queries: [
        {
          expr: 'time() - max by (job) (push_time_seconds{job=~"churn_.*"})',
          legend: '{{job}}',
          instant: true,
        },
      ],
      unit: 'dtdurations',
      steps: FRESHNESS,
    },
    {
      type: 'timeseries',
      title: 'Rows scored per run',
      description: 'Customers in each scored batch, per instance (sharded runs push their own).',
      width: 12,
      height: 8,
      queries: [
        {
          expr: 'sum by (instance) (churn_predictions_by_risk_level)',
          legend: 'batch {{instance}}',
        },
      ],
      unit: 'short',
      min: 0,
    },
    {
      type: 'timeseries',
      title: 'Customers scored per hour',
      description:
        'Rate of churn_predictions_total, a counter kept across runs in each home (working directory or machine) and summed over them.',
      width: 12,
      height: 8,
      queries: [{ expr: 'sum(increase(churn_predictions_total[1h]))', legend: 'customers / hour' }],
      unit: 'short',
      min: 0,
      bars: true,
    },
    {
      type: 'stat',
      title: 'Failures',
      description:
        'Failed runs of each job over every run (churn_job_failures_total, a counter kept across runs). Alert BatchJobFailed while the last run failed.',
      width: 12,
      height: 4,
      queries: [
        { expr: 'sum by (job) (churn_job_failures_total)', legend: '{{job}}', instant: true },
      ],
      unit: 'short',
      steps: [
        ['green', null],
        ['orange', 1],
      ],
    },
    {
      type: 'timeseries',
      title: 'Failures per hour',
      description: 'Failed runs of each job in each hour.',
      width: 12,
      height: 4,
      queries: [
        { expr: 'sum by (job) (increase(churn_job_failures_total[1h]))', legend: '{{job}}' },
      ],
      unit: 'short',
      min: 0,
      bars: true,
    },
    {
      type: 'timeseries',
      title: 'CPU seconds per run',
      description:
        'CPU time of each successful run, every thread together (churn_job_cpu_seconds): above its duration when the forest grows or scores on several cores.',
      width: 12,
      height: 8,
      queries: [{ expr: 'churn_job_cpu_seconds', legend: '{{job}} {{home}}' }],
      unit: 's',
      min: 0,
    },
    {
      type: 'timeseries',
      title: 'Peak memory per run',
      description:
        'Peak resident memory of each successful run (churn_job_peak_memory_bytes), worker threads included.',
      width: 12,
      height: 8,
      queries: [{ expr: 'churn_job_peak_memory_bytes', legend: '{{job}} {{home}}' }],
      unit: 'bytes',
      min: 0,
    },
  ],
};

function modelHistory(title: string, metric: string, description: string): PanelSpec {
  return {
    type: 'timeseries',
    title,
    description,
    width: 12,
    height: 8,
    queries: [{ expr: byVersion(metric), legend: '{{version}}' }],
    min: 0,
    max: 1,
    decimals: 3,
  };
}

export const model: DashboardSpec = {
  uid: 'churn-model',
  title: 'churn / ML model',
  description:
    'The champion and its history across versions: quality on its holdout and on labelled batches since, drift, threshold, training.',
  timeFrom: 'now-30d',
  annotations: [RETRAINS, PROMOTIONS, EVALUATIONS],
  panels: [
    f2,
    auc,
    modelStat(
      'Precision',
      'churn_model_precision',
      'Share of predicted leavers who left, on the holdout rows.',
    ),
    modelStat(
      'Recall',
      'churn_model_recall',
      'Share of leavers the model caught, on the holdout rows.',
    ),
    modelStat(
      'F1 score',
      'churn_model_f1_score',
      'Harmonic mean of precision and recall on the holdout rows, at the threshold.',
    ),
    modelStat(
      'Accuracy',
      'churn_model_accuracy',
      'Share of holdout customers classified right at the threshold; flattered by the many who stay.',
    ),
    driftShare,
    {
      ...modelStat(
        'Threshold',
        'churn_model_threshold',
        'Churn probability from which a customer is predicted to leave, tuned for F2 on out-of-bag predictions.',
      ),
      steps: [['blue', null]],
    },
    {
      type: 'stat',
      title: 'Model version',
      description:
        'Version of the model in use (churn_model_info), as `churn models list` names it.',
      width: 4,
      height: 4,
      queries: [{ expr: champion('churn_model_info'), legend: '{{version}}', instant: true }],
      showName: true,
    },
    {
      type: 'stat',
      title: 'Training time',
      description: 'Seconds spent growing the model in use.',
      width: 6,
      height: 4,
      queries: [
        { expr: champion('churn_training_duration_seconds'), legend: '{{home}}', instant: true },
      ],
      unit: 's',
      decimals: 2,
    },
    {
      type: 'stat',
      title: 'Training samples',
      description: 'Rows the model in use was grown on (the holdout excluded).',
      width: 6,
      height: 4,
      queries: [{ expr: champion('churn_training_samples'), legend: '{{home}}', instant: true }],
      unit: 'short',
    },
    {
      type: 'stat',
      title: 'Model age',
      description: 'Time since the model in use was created.',
      width: 6,
      height: 4,
      queries: [
        {
          expr: `time() - max(${champion('churn_model_created_timestamp_seconds')})`,
          instant: true,
        },
      ],
      unit: 'dtdurations',
      steps: FRESHNESS,
    },
    {
      type: 'stat',
      title: 'Retraining outcomes',
      description:
        'Retraining runs that promoted their challenger, and runs that kept the champion.',
      width: 6,
      height: 4,
      queries: [
        { expr: 'sum by (outcome) (churn_retraining_total)', legend: '{{outcome}}', instant: true },
      ],
      unit: 'short',
    },
    liveDrop,
    liveAgainstHoldout(
      'ROC AUC: live against holdout',
      'churn_model_roc_auc',
      'churn_live_roc_auc',
      `Alert ModelPerformanceDegraded when live is more than ${MAX_DROP} below holdout`,
    ),
    liveAgainstHoldout(
      'F2: live against holdout',
      'churn_model_f2_score',
      'churn_live_f2_score',
      `Alert ModelPerformanceDegraded when live is more than ${MAX_DROP} below holdout`,
    ),
    modelHistory(
      'F2 by model version',
      'churn_model_f2_score',
      'F2 of each model version while it was published.',
    ),
    modelHistory(
      'ROC AUC by model version',
      'churn_model_roc_auc',
      'ROC AUC of each model version while it was published.',
    ),
    modelHistory(
      'Precision by model version',
      'churn_model_precision',
      'Precision of each model version while it was published.',
    ),
    modelHistory(
      'Recall by model version',
      'churn_model_recall',
      'Recall of each model version while it was published.',
    ),
    {
      type: 'table',
      title: 'Versions published',
      description: 'Every model version published in the time range, with its hyperparameters.',
      width: 12,
      height: 8,
      queries: [
        {
          expr: `max by (version, trees, max_depth, min_samples_leaf, max_features, class_weight) (max_over_time(${champion('churn_model_info')}[$__range]))`,
          instant: true,
          format: 'table',
        },
      ],
      hide: ['Time', 'Value'],
    },
    featureDrift,
    featureDistance,
    driftShareOverTime,
  ],
};

export const business: DashboardSpec = {
  uid: 'churn-business',
  title: 'churn / Business',
  description: 'Who is at risk of leaving: risk levels, scores and their trend.',
  timeFrom: 'now-7d',
  panels: [
    highRiskCount,
    highRiskShare,
    {
      type: 'stat',
      title: 'Average churn score, last batch',
      description: 'Mean churn probability of the last scored batch.',
      width: 4,
      height: 4,
      queries: [{ expr: 'avg(churn_prediction_score_average)', instant: true }],
      decimals: 3,
      steps: lowerIsBetter(0.3, 0.45),
    },
    {
      type: 'stat',
      title: 'Customers in the last batch',
      description: 'Rows of the last scored batch.',
      width: 4,
      height: 4,
      queries: [{ expr: 'sum(churn_predictions_by_risk_level)', instant: true }],
      unit: 'short',
    },
    {
      type: 'stat',
      title: 'Score drift (PSI)',
      description:
        "Population stability index of the last batch's scores against the model's holdout scores. Alert ScoreDrift above 0.25.",
      width: 4,
      height: 4,
      queries: [{ expr: 'max(churn_prediction_score_drift_psi)', instant: true }],
      decimals: 3,
      steps: DRIFT_STEPS,
    },
    {
      type: 'stat',
      title: 'Customers scored',
      description: 'Customers scored over every run.',
      width: 4,
      height: 4,
      queries: [{ expr: 'sum(churn_predictions_total)', instant: true }],
      unit: 'short',
    },
    riskDistribution,
    {
      type: 'bargauge',
      title: 'Score distribution, last batch',
      description:
        'Customers of the last batch per churn-probability band of 0.1 (churn_prediction_score histogram).',
      width: 16,
      height: 8,
      queries: [
        {
          expr: 'sum by (le) (churn_prediction_score_bucket)',
          legend: '≤ {{le}}',
          instant: true,
          format: 'heatmap',
        },
      ],
      unit: 'short',
      steps: [['purple', null]],
    },
    {
      type: 'timeseries',
      title: 'Risk levels over time',
      description: 'Customers of each batch at each risk level.',
      width: 12,
      height: 8,
      queries: [{ expr: RISK_LEVELS, legend: '{{level}}' }],
      unit: 'short',
      stacked: true,
    },
    {
      type: 'timeseries',
      title: 'Average score and high-risk share',
      description: 'Trend of the mean churn probability and of the high-risk share of each batch.',
      width: 12,
      height: 8,
      queries: [
        { expr: 'avg(churn_prediction_score_average)', legend: 'average score' },
        { expr: HIGH_RISK_SHARE, legend: 'high-risk share' },
      ],
      min: 0,
      max: 1,
      decimals: 3,
    },
  ],
};

export const DASHBOARDS: Record<string, DashboardSpec> = {
  'overview.json': overview,
  'batch-jobs.json': batchJobs,
  'ml-model.json': model,
  'business.json': business,
  'api-health.json': apiHealth,
};
