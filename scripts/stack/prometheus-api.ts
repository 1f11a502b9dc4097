/** The bits of Prometheus's HTTP API the demo and the tests read. */

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

/** Polls an instant query until it returns a series, or the time is up (then []). */
export async function waitForSeries(
  prometheusUrl: string,
  expr: string,
  timeoutMs: number,
): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await instantQuery(prometheusUrl, expr);
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
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

/** Polls until every rule group has been evaluated after `since` (false if time runs out). */
export async function waitForRuleEvaluation(
  prometheusUrl: string,
  since: Date,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await apiGet<{ groups: Array<{ lastEvaluation: string }> }>(
      new URL('/api/v1/rules', prometheusUrl),
    );
    if (
      groups.length > 0 &&
      groups.every((group) => Date.parse(group.lastEvaluation) > since.getTime())
    ) {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface ApiResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

/** The `data` of a successful answer to a GET of the API. */
export async function apiGet<T>(url: URL): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') {
    const what = url.searchParams.get('query') ?? url.pathname;
    throw new Error(`Prometheus rejected ${what}: ${body.error}`);
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
