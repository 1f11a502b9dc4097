/**
 * PromQL shared by several panels. The selections match monitoring/prometheus/alert_rules.yml, so
 * a panel and the alert about it always look at the same series.
 */

/**
 * The series of `metric` that belongs to the newest model, per instance. Train, retrain and
 * export-metrics each keep the model they last published in their own group; the newest is in use.
 */
export function currentModel(metric: string): string {
  return `${metric} and on (job, instance) topk by (instance) (1, churn_model_created_timestamp_seconds)`;
}

/** 1 for each job whose last run failed, 0 for each that last succeeded. */
export const LAST_RUN_FAILED =
  '(churn_job_last_failure_timestamp_seconds > bool (churn_job_last_success_timestamp_seconds or churn_job_last_failure_timestamp_seconds - 1))' +
  ' or (churn_job_last_success_timestamp_seconds * 0)';

export const SINCE_LAST_SUCCESS =
  'time() - max by (job) (churn_job_last_success_timestamp_seconds)';

export const HIGH_RISK_SHARE =
  'sum(churn_predictions_by_risk_level{level="high"}) / sum(churn_predictions_by_risk_level)';

export const RISK_LEVELS = 'sum by (level) (churn_predictions_by_risk_level)';

export const FIRING_ALERTS = 'ALERTS{alertstate="firing"}';

export const FEATURE_DRIFT = 'max by (feature) (churn_feature_drift_psi)';

/** PSI colours: below 0.1 no shift, up to 0.25 a moderate one, above a significant one. */
export const DRIFT_STEPS: Array<[string, number | null]> = [
  ['green', null],
  ['orange', 0.1],
  ['red', 0.25],
];
