/**
 * `npm run load-test`: load on a running `churn serve` (or any server with the same POST
 * /predict), with autocannon, and its latency percentiles. Customers come from a CSV, one per
 * request or `--batch N` per request, each connection cycling through them in order; with
 * `--amount`, a multiple of the connections times the bodies, every customer is scored the same
 * number of times, so what the API counts is known in advance.
 *
 *   npm run load-test                                   10 connections, 10 s, one customer each
 *   npm run load-test -- --batch 1000 --connections 4   batches of 1,000 customers
 *   npm run load-test -- --url http://10.0.0.5:8000 --amount 20000
 *
 * Latency is measured per response from autocannon's own timing, to the microsecond (its summary
 * rounds to whole milliseconds, too coarse for a server that answers in a fraction of one).
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface LoadTestOptions {
  /** The server's base URL: http://host:port. */
  url: string;
  /** JSON bodies to send, in order, each connection cycling through them. */
  bodies: string[];
  connections: number;
  /** Seconds to run, unless `amount` is given. */
  duration: number;
  /** Requests in all, spread evenly over the connections. */
  amount?: number;
}

export interface LoadTestResult {
  requests: number;
  /** Answers with a 2xx status. */
  ok: number;
  /** Other statuses, by status. */
  failed: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency of the 2xx answers, in milliseconds. */
  latency: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
}

export async function loadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: `${options.url.replace(/\/$/, '')}/predict`,
        connections: options.connections,
        ...(options.amount === undefined
          ? { duration: options.duration }
          : { amount: options.amount }),
        requests: options.bodies.map((body) => ({
          method: 'POST' as const,
          headers: { 'content-type': 'application/json' },
          body,
        })),
        timeout: 30,
      },
      (error: unknown, finished: autocannon.Result) =>
        error ? fail(error as Error) : done(finished),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else failed[status] = (failed[status] ?? 0) + 1;
    });
  });
  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    latencies.length === 0
      ? NaN
      : latencies[Math.min(latencies.length - 1, Math.ceil(share * latencies.length) - 1)];
  const mean = latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length;
  const seconds = result.duration;
  return {
    requests: latencies.length + Object.values(failed).reduce((sum, n) => sum + n, 0),
    ok: latencies.length,
    failed,
    errors: result.errors + result.timeouts,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    latency: {
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      p999: at(0.999),
      max: latencies.at(-1) ?? NaN,
      mean,
    },
  };
}

export type Customer = Record<string, string | number | null>;

/**
 * A plain CSV's rows (comma-separated, no quoted fields, as the sample data is) as JSON
 * customers, the way a client sends them: numbers as numbers, empty cells as null.
 */
export function csvCustomers(csvPath: string): Customer[] {
  const [header, ...lines] = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return lines.map((line) =>
    Object.fromEntries(
      line.split(',').map((cell, i) => {
        const number = Number(cell);
        return [names[i], cell.trim() === '' ? null : Number.isNaN(number) ? cell : number];
      }),
    ),
  );
}

/** JSON bodies of `batch` customers each (a lone customer as an object), from a CSV's rows. */
export function customerBodies(csvPath: string, batch: number, limit = 200): string[] {
  const customers = csvCustomers(csvPath);
  const bodies: string[] = [];
  for (let start = 0; bodies.length < limit && start < customers.length; start += batch) {
    const group = customers.slice(start, start + batch);
    bodies.push(JSON.stringify(batch === 1 ? group[0] : group));
  }
  return bodies;
}

export function formatResult(result: LoadTestResult, customersPerRequest: number): string {
  const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
  const { latency } = result;
  const failures = Object.entries(result.failed)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');
  return [
    `  requests        ${result.requests} in ${result.seconds.toFixed(1)} s: ` +
      `${result.ok} answered 2xx${failures ? `, ${failures}` : ''}` +
      (result.errors > 0 ? `, ${result.errors} connection errors or timeouts` : ''),
    `  throughput      ${result.requestsPerSecond.toFixed(0)} requests/s, ` +
      `${(result.requestsPerSecond * customersPerRequest).toFixed(0)} customers/s`,
    `  latency (ms)    p50 ${ms(latency.p50)}  p90 ${ms(latency.p90)}  p99 ${ms(latency.p99)}  ` +
      `p99.9 ${ms(latency.p999)}  max ${ms(latency.max)}  mean ${ms(latency.mean)}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      data: { type: 'string', default: 'data/new_batch_1.csv' },
      batch: { type: 'string', default: '1' },
      connections: { type: 'string', default: '10' },
      duration: { type: 'string', default: '10' },
      amount: { type: 'string' },
    },
  });
  const whole = (name: string, raw: string | undefined, min: number): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} must be a whole number from ${min}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
  const url = values.url ?? `http://127.0.0.1:${process.env.CHURN_SERVE_PORT || 8000}`;
  const batch = whole('batch', values.batch, 1);
  const connections = whole('connections', values.connections, 1);
  const duration = whole('duration', values.duration, 1);
  const amount =
    values.amount === undefined ? undefined : whole('amount', values.amount, connections);
  const ready = await fetch(`${url}/readyz`).then(
    (response) => response.status,
    (error: Error) => error.message,
  );
  if (ready !== 200) {
    throw new Error(
      `${url} is not a ready churn serve (${typeof ready === 'number' ? `/readyz answered ${ready}` : ready}): ` +
        'start it with npx churn serve, or pass --url',
    );
  }
  const bodies = customerBodies(resolve(values.data!), batch);
  console.log(
    `load on ${url}/predict: ${connections} connections, ` +
      `${amount === undefined ? `${duration} s` : `${amount} requests`}, ` +
      `${batch === 1 ? 'one customer' : `${batch} customers`} per request`,
  );
  const result = await loadTest({ url, bodies, connections, duration, amount });
  console.log(formatResult(result, batch));
  return result.ok === result.requests && result.errors === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}
