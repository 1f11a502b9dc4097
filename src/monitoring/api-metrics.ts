/**
 * The metrics `churn serve` exposes on GET /metrics for Prometheus to scrape (pull), beside the
 * ones the batch jobs push: requests by route and status, their latency, the requests in flight,
 * the customers scored by risk level and their scores, the model being served, and the process's
 * own figures (CPU, memory, event-loop lag, start time). The alert rules and the "API health"
 * dashboard select on these names.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModelParams } from '../forest/index.js';
import { SCORE_BUCKETS } from './job-metrics.js';
import { modelInfoGauge, modelInfoLabels } from './model-figures.js';

/** Routes as labelled: the server's own paths, and one value for every other path. */
export type ApiRoute = '/predict' | '/model' | '/healthz' | '/readyz' | '/metrics' | 'other';

/**
 * Seconds: a single customer is answered in well under a millisecond, a batch of thousands in
 * tens of milliseconds; the alert on latency draws its line at half a second.
 */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

type RiskLevel = 'low' | 'medium' | 'high';
const RISK_LEVELS: RiskLevel[] = ['low', 'medium', 'high'];

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'status'>;
  private readonly latency: Histogram<'route' | 'status'>;
  private readonly inFlight: Gauge;
  private readonly predictions: Counter<'level'>;
  private readonly scores: Histogram;
  private readonly modelInfo: Gauge;
  private readonly modelLoaded: Gauge;
  private readonly reloads: Counter<'outcome'>;
  /** Label children by route and status, found once: a request costs a map lookup, not a label hash. */
  private readonly children = new Map<
    string,
    { count: Counter.Internal; time: Histogram.Internal<'route' | 'status'> }
  >();
  private readonly byLevel: Record<RiskLevel, Counter.Internal>;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'churn_api_requests_total',
      help: 'HTTP requests answered by churn serve, by route and status code.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'churn_api_request_duration_seconds',
      help: 'Seconds from a request arriving to its answer being sent, by route and status code.',
      labelNames: ['route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({
      name: 'churn_api_requests_in_flight',
      help: 'Requests being read, scored or answered right now.',
      registers,
    });
    this.predictions = new Counter({
      name: 'churn_api_predictions_total',
      help: 'Customers scored by churn serve, by risk level.',
      labelNames: ['level'],
      registers,
    });
    this.byLevel = {
      low: this.predictions.labels('low'),
      medium: this.predictions.labels('medium'),
      high: this.predictions.labels('high'),
    };
    for (const level of RISK_LEVELS) this.byLevel[level].inc(0);
    this.scores = new Histogram({
      name: 'churn_api_prediction_score',
      help: 'Churn probabilities churn serve answered.',
      buckets: SCORE_BUCKETS,
      registers,
    });
    this.modelInfo = modelInfoGauge(this.registry);
    this.modelLoaded = new Gauge({
      name: 'churn_api_model_loaded_timestamp_seconds',
      help: 'When the model being served was loaded, in seconds since the Unix epoch.',
      registers,
    });
    this.reloads = new Counter({
      name: 'churn_api_model_loads_total',
      help: 'Models churn serve loaded (the first and each new champion), by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['loaded', 'failed']) this.reloads.inc({ outcome }, 0);
    collectDefaultMetrics({ register: this.registry });
    // Gauges whose names end in _total, which promtool's lint refuses (only counters may).
    for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  requestStarted(): void {
    this.inFlight.inc();
  }

  requestEnded(route: ApiRoute, status: number, seconds: number): void {
    this.inFlight.dec();
    const key = `${route} ${status}`;
    let child = this.children.get(key);
    if (!child) {
      const labels = { route, status: String(status) };
      child = { count: this.requests.labels(labels), time: this.latency.labels(labels) };
      this.children.set(key, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  }

  /** A connection answered with an error before any request was read from it (route `other`). */
  requestRefused(status: number): void {
    this.requests.inc({ route: 'other', status: String(status) });
  }

  /** A scored customer's risk level and probability. */
  customerScored(level: RiskLevel, score: number): void {
    this.byLevel[level].inc();
    this.scores.observe(score);
  }

  modelLoadedNow(version: string, params: ModelParams, at: Date): void {
    this.modelInfo.reset();
    this.modelInfo.set(modelInfoLabels(version, params), 1);
    this.modelLoaded.set(at.getTime() / 1000);
    this.reloads.inc({ outcome: 'loaded' });
  }

  modelLoadFailed(): void {
    this.reloads.inc({ outcome: 'failed' });
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
