/** The bits of Prometheus's HTTP API the demo and the tests read. */
import { seconds, StackError, waitFor, type Deadline } from './wait.js';

/** How long one request may take: Prometheus answers these in milliseconds when it is well. */
const REQUEST_TIMEOUT_MS = 10_000;
const CHECK_IT = 'check that Prometheus runs (npm run monitoring:status) and see its log';

export interface Sample {
  metric: Record<string, string>;
  /** The latest value of an instant query; the last point of a range query. */
  value: number;
}

export async function instantQuery(prometheusUrl: string, expr: string): Promise<Sample[]> {
  const url = new URL('/api/v1/query', prometheusUrl);
  url.searchParams.set('query', expr);
  return samples(await apiGet<ApiResult>(url));
}

export async function rangeQuery(
  prometheusUrl: string,
  expr: string,
  seconds: number,
  stepSeconds: number,
): Promise<Sample[]> {
  const now = Date.now() / 1000;
  const url = new URL('/api/v1/query_range', prometheusUrl);
  url.searchParams.set('query', expr);
  url.searchParams.set('start', String(now - seconds));
  url.searchParams.set('end', String(now));
  url.searchParams.set('step', String(stepSeconds));
  return samples(await apiGet<ApiResult>(url));
}

/**
 * Polls an instant query until it returns a series. Throws, naming the query, when none came
 * within `timeoutMs` (or before the overall deadline).
 */
export async function waitForSeries(
  prometheusUrl: string,
  expr: string,
  timeoutMs: number,
  deadline?: Deadline,
): Promise<Sample[]> {
  return waitFor(
    `a series of ${expr} at ${prometheusUrl}`,
    async () => {
      const found = await instantQuery(prometheusUrl, expr);
      return found.length > 0 ? found : undefined;
    },
    {
      timeoutMs,
      deadline,
      next:
        `Prometheus scrapes the Pushgateway every 15 s: see whether its pushgateway target is up ` +
        `at ${prometheusUrl}/targets, and whether the gateway holds the metric.`,
    },
  );
}

/** The alerts pending or firing now, as the rule manager holds them. */
export async function activeAlerts(
  prometheusUrl: string,
): Promise<Array<{ labels: Record<string, string>; state: string }>> {
  const data = await apiGet<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>(
    new URL('/api/v1/alerts', prometheusUrl),
  );
  return data.alerts;
}

/** Polls until every rule group has been evaluated after `since`; throws if it never is. */
export async function waitForRuleEvaluation(
  prometheusUrl: string,
  since: Date,
  timeoutMs: number,
  deadline?: Deadline,
): Promise<void> {
  await waitFor(
    `every rule group of ${prometheusUrl}/api/v1/rules to be evaluated after ${since.toISOString()}`,
    async () => {
      const { groups } = await apiGet<{ groups: Array<{ lastEvaluation: string }> }>(
        new URL('/api/v1/rules', prometheusUrl),
      );
      const done =
        groups.length > 0 &&
        groups.every((group) => Date.parse(group.lastEvaluation) > since.getTime());
      return done || undefined;
    },
    {
      timeoutMs,
      deadline,
      next: `look for rule errors at ${prometheusUrl}/rules; the rules load from monitoring/prometheus/alert_rules.yml.`,
    },
  );
}

interface ApiResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

/** The `data` of a successful answer to a GET of the API; any failure names the URL. */
export async function apiGet<T>(url: URL, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
  let body: { status: string; data: T; error?: string };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    body = (await response.json()) as typeof body;
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${seconds(timeoutMs)}`
        : error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
    throw new StackError(`Prometheus did not answer GET ${url.href}: ${reason}; ${CHECK_IT}`);
  }
  if (body.status !== 'success') {
    const what = url.searchParams.get('query') ?? url.pathname;
    throw new StackError(`Prometheus rejected ${what}: ${body.error}`);
  }
  return body.data;
}

function samples(data: ApiResult): Sample[] {
  switch (data.resultType) {
    case 'vector':
      return (
        data.result as Array<{ metric: Record<string, string>; value: [number, string] }>
      ).map((entry) => ({ metric: entry.metric, value: Number(entry.value[1]) }));
    case 'matrix':
      return (
        data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>
      )
        .filter((entry) => entry.values.length > 0)
        .map((entry) => ({ metric: entry.metric, value: Number(entry.values.at(-1)![1]) }));
    case 'scalar':
      return [{ metric: {}, value: Number((data.result as [number, string])[1]) }];
    default:
      return [];
  }
}
