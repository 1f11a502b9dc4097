/**
 * The "API health" dashboard: `churn serve` as Prometheus scrapes it (job churn_api), the course's
 * API Health & Performance dashboard for our scoring API. Every query selects on the metrics of
 * src/monitoring/api-metrics.ts and, where an alert watches the same thing, on the alert's series.
 */
import { higherIsBetter, lowerIsBetter, type DashboardSpec, type PanelSpec } from './panels.js';

const API = 'job="churn_api"';
const RATE = '[5m]';

/** The quantile of /predict's answer times over the last five minutes, as ScoringApiHighLatency takes it. */
export function predictLatency(quantile: number): string {
  return (
    `histogram_quantile(${quantile}, sum by (le) ` +
    `(rate(churn_api_request_duration_seconds_bucket{${API},route="/predict"}${RATE})))`
  );
}

/** Share of answers that were server errors (5xx), as ScoringApiHighErrorRate takes it. */
export const SERVER_ERROR_SHARE =
  `(sum(rate(churn_api_requests_total{${API},status=~"5.."}${RATE})) or vector(0))` +
  ` / sum(rate(churn_api_requests_total{${API}}${RATE}))`;

const UP_MAPPINGS = [
  { value: 0, text: 'DOWN', color: 'red' },
  { value: 1, text: 'UP', color: 'green' },
];

const stat = (panel: Omit<PanelSpec, 'type' | 'width' | 'height'>): PanelSpec => ({
  type: 'stat',
  width: 4,
  height: 4,
  ...panel,
});

export const apiHealth: DashboardSpec = {
  uid: 'churn-api',
  title: 'churn / API health',
  description:
    'churn serve, the scoring API, as Prometheus scrapes it: is it up, how fast, how many errors, what it answers.',
  timeFrom: 'now-1h',
  panels: [
    stat({
      title: 'API status',
      description:
        'Whether Prometheus scraped churn serve at its last try. Alert ScoringApiDown after a minute down.',
      queries: [{ expr: `max(up{${API}})`, instant: true }],
      mappings: UP_MAPPINGS,
      steps: [
        ['red', null],
        ['green', 1],
      ],
    }),
    stat({
      title: 'Requests per second',
      description: 'Requests answered per second over the last 5 minutes, every route and status.',
      queries: [{ expr: `sum(rate(churn_api_requests_total{${API}}${RATE}))`, instant: true }],
      unit: 'reqps',
      decimals: 1,
    }),
    stat({
      title: 'P95 latency of /predict',
      description:
        'Time within which 95% of the predictions were answered over the last 5 minutes.',
      queries: [{ expr: predictLatency(0.95), instant: true }],
      unit: 's',
      steps: lowerIsBetter(0.1, 0.5),
    }),
    stat({
      title: 'Server error rate',
      description:
        'Share of the answers that were server errors (5xx, 503 included when it sheds load or has no model) over the last 5 minutes. Alert ScoringApiHighErrorRate above 5%.',
      queries: [{ expr: SERVER_ERROR_SHARE, instant: true }],
      unit: 'percentunit',
      decimals: 2,
      steps: lowerIsBetter(0.01, 0.05),
    }),
    stat({
      title: 'Requests in flight',
      description: 'Requests being read, scored or answered right now.',
      queries: [{ expr: `sum(churn_api_requests_in_flight{${API}})`, instant: true }],
      steps: [['blue', null]],
    }),
    stat({
      title: 'Uptime (24h)',
      description: 'Share of the last 24 hours churn serve answered Prometheus’s scrapes.',
      queries: [{ expr: `avg(avg_over_time(up{${API}}[24h]))`, instant: true }],
      unit: 'percentunit',
      decimals: 2,
      min: 0,
      max: 1,
      steps: higherIsBetter(0.99, 0.999),
    }),
    {
      type: 'timeseries',
      title: 'Latency of /predict by percentile',
      description:
        'P50, P95 and P99 of the time to answer a prediction, over 5-minute windows. Alert ScoringApiHighLatency when the P99 stays above 0.5 s.',
      width: 12,
      height: 8,
      queries: [
        { expr: predictLatency(0.5), legend: 'P50' },
        { expr: predictLatency(0.95), legend: 'P95' },
        { expr: predictLatency(0.99), legend: 'P99' },
      ],
      unit: 's',
      min: 0,
    },
    {
      type: 'timeseries',
      title: 'Requests per second by route',
      description: 'Requests answered per second on each route (other: paths it does not serve).',
      width: 12,
      height: 8,
      queries: [
        {
          expr: `sum by (route) (rate(churn_api_requests_total{${API}}${RATE}))`,
          legend: '{{route}}',
        },
      ],
      unit: 'reqps',
      min: 0,
    },
    {
      type: 'timeseries',
      title: 'Errors per second by status',
      description:
        'Answers that were errors, by status: 4xx are the clients’ mistakes (bad JSON 400, missing features 422, too large 413, too slow 408), 5xx the server’s.',
      width: 12,
      height: 8,
      queries: [
        {
          expr: `sum by (status) (rate(churn_api_requests_total{${API},status=~"[45].."}${RATE}))`,
          legend: '{{status}}',
        },
      ],
      unit: 'reqps',
      min: 0,
    },
    {
      type: 'timeseries',
      title: 'Customers scored per second by risk level',
      description: 'Customers churn serve scored per second, at each risk level.',
      width: 12,
      height: 8,
      queries: [
        {
          expr: `sum by (level) (rate(churn_api_predictions_total{${API}}${RATE}))`,
          legend: '{{level}}',
        },
      ],
      unit: 'short',
      min: 0,
      stacked: true,
    },
    {
      type: 'timeseries',
      title: 'Requests in flight over time',
      description: 'Requests being read, scored or answered, at each scrape.',
      width: 8,
      height: 8,
      queries: [{ expr: `sum(churn_api_requests_in_flight{${API}})`, legend: 'in flight' }],
      min: 0,
    },
    {
      type: 'bargauge',
      title: 'Scores answered, last hour',
      description:
        'Customers churn serve scored in the last hour per churn-probability band of 0.1.',
      width: 8,
      height: 8,
      queries: [
        {
          expr: `sum by (le) (increase(churn_api_prediction_score_bucket{${API}}[1h]))`,
          legend: '≤ {{le}}',
          instant: true,
          format: 'heatmap',
        },
      ],
      unit: 'short',
      steps: [['purple', null]],
    },
    stat({
      title: 'Model served',
      description:
        'The model version churn serve answers with (churn_model_info); a promotion shows here within serve.watchSeconds.',
      queries: [{ expr: `churn_model_info{${API}}`, legend: '{{version}}', instant: true }],
      showName: true,
    }),
    stat({
      title: 'Running for',
      description: 'Time since the churn serve process started.',
      queries: [{ expr: `time() - max(process_start_time_seconds{${API}})`, instant: true }],
      unit: 'dtdurations',
      steps: [['blue', null]],
    }),
    {
      type: 'timeseries',
      title: 'Resident memory',
      description:
        'Memory the process holds: the model, the requests being read (bounded by serve.maxBufferedBytes) and the connections.',
      width: 12,
      height: 8,
      queries: [{ expr: `max(process_resident_memory_bytes{${API}})`, legend: 'resident' }],
      unit: 'bytes',
      min: 0,
    },
    {
      type: 'timeseries',
      title: 'Event-loop lag (P99)',
      description:
        'How long a request that is ready may wait for the thread: it grows when large batches or a model load keep it busy.',
      width: 12,
      height: 8,
      queries: [{ expr: `max(nodejs_eventloop_lag_p99_seconds{${API}})`, legend: 'P99' }],
      unit: 's',
      min: 0,
    },
  ],
};
