/**
 * PromQL shared by several panels. The selections match monitoring/prometheus/alert_rules.yml, so
 * a panel and the alert about it always look at the same series.
 */

/** The series of `metric` in the champion's own group: the model in use, per instance and home. */
export function champion(metric: string): string {
  return `${metric}{job="${CHAMPION_JOB}"}`;
}

export const CHAMPION_JOB = 'churn_champion';

/** `metric` of the champion with its model version as a label, for charts across versions. */
export function byVersion(metric: string): string {
  return `max by (version) (${champion(metric)} * on (job, instance, home) group_left (version) ${champion('churn_model_info')})`;
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

export const FEATURE_DISTANCE = 'max by (feature, method) (churn_feature_drift_distance)';

/** PSI colours: below 0.1 no shift, up to 0.25 a moderate one, above a significant one. */
export const DRIFT_STEPS: Array<[string, number | null]> = [
  ['green', null],
  ['orange', 0.1],
  ['red', 0.25],
];
