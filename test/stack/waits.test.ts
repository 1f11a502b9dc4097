/**
 * The stack scripts' waits on a machine too loaded to answer: each ends within its limit or the
 * overall deadline, naming the URL or query it waited for and what to do next.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDeadline, run } from '../../scripts/demo.js';
import {
  apiGet,
  waitForRuleEvaluation,
  waitForSeries,
} from '../../scripts/stack/prometheus-api.js';
import { Deadline, StopWaiting, waitFor } from '../../scripts/stack/wait.js';
import { freePort, silentServer } from '../helpers/pushgateway.js';

/** A Prometheus that knows nothing yet: every query is empty, no rule group ever evaluated. */
async function emptyPrometheus(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const data = request.url!.startsWith('/api/v1/rules')
      ? { groups: [{ lastEvaluation: '0001-01-01T00:00:00Z' }] }
      : { resultType: 'vector', result: [] };
    response.end(JSON.stringify({ status: 'success', data }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('waiting on the monitoring stack', () => {
  let empty: { url: string; close: () => Promise<void> };
  let silent: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    empty = await emptyPrometheus();
    silent = await silentServer();
  });
  afterAll(async () => {
    await empty.close();
    await silent.close();
  });

  it('names the URL of a Prometheus that does not answer, and how to check it', async () => {
    const started = Date.now();
    const url = new URL('/api/v1/query?query=up', silent.url);
    await expect(apiGet(url, 300)).rejects.toThrow(
      `Prometheus did not answer GET ${url.href}: no answer within 0.3 s; check that Prometheus runs (npm run monitoring:status)`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const refused = new URL('/api/v1/query', `http://127.0.0.1:${await freePort()}`);
    await expect(apiGet(refused)).rejects.toThrow(
      new RegExp(`^Prometheus did not answer GET ${refused.href}: .*ECONNREFUSED`),
    );
  });

  it('names the query it waited for, how long, and where to look', async () => {
    const expr = 'churn_job_last_success_timestamp_seconds{job="churn_retrain"}';
    await expect(waitForSeries(empty.url, expr, 300)).rejects.toThrow(
      `gave up after 0.3 s waiting for a series of ${expr} at ${empty.url}. Next: Prometheus scrapes ` +
        `the Pushgateway every 15 s: see whether its pushgateway target is up at ${empty.url}/targets`,
    );
    await expect(waitForRuleEvaluation(empty.url, new Date(), 300)).rejects.toThrow(
      `waiting for every rule group of ${empty.url}/api/v1/rules to be evaluated after`,
    );
  });

  it('stops at the overall deadline before its own limit, and says how to give it longer', async () => {
    const deadline = new Deadline(400, 'rerun with DEMO_TIMEOUT_SECONDS=900');
    const started = Date.now();
    await expect(waitForSeries(empty.url, 'up', 60_000, deadline)).rejects.toThrow(
      /gave up after 0\.\d s waiting for a series of up .* \(the overall limit of 0\.4 s ran out: rerun with DEMO_TIMEOUT_SECONDS=900\)/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('keeps the last error of the attempts, and stops at once when waiting cannot help', async () => {
    let attempts = 0;
    await expect(
      waitFor(
        'the thing',
        async () => {
          attempts++;
          throw new Error('connection refused');
        },
        { timeoutMs: 200, intervalMs: 50, next: 'start it' },
      ),
    ).rejects.toThrow(
      'gave up after 0.2 s waiting for the thing (last error: connection refused). Next: start it',
    );
    expect(attempts).toBeGreaterThan(1);
    attempts = 0;
    await expect(
      waitFor(
        'the thing',
        async () => {
          attempts++;
          throw new StopWaiting('it exited');
        },
        { timeoutMs: 10_000, next: 'start it' },
      ),
    ).rejects.toThrow(/^it exited$/);
    expect(attempts).toBe(1);
  });

  it("stops a demo step that outlives the demo's deadline, naming it", () => {
    const deadline = new Deadline(300, 'a busy machine may need longer: DEMO_TIMEOUT_SECONDS=900');
    expect(() => run('sleep 5', ['sleep', '5'], { cwd: '/' }, deadline)).toThrow(
      "sleep 5 was still running when the demo's 0.3 s ran out",
    );
    expect(() => run('false', ['false'], { cwd: '/' }, new Deadline(5000, ''))).toThrow(
      'false exited with code 1: its error is above',
    );
  });

  it('reads DEMO_TIMEOUT_SECONDS, refusing what is not a number of seconds', () => {
    expect(demoDeadline({}).totalMs).toBe(300_000);
    expect(demoDeadline({ DEMO_TIMEOUT_SECONDS: '900' }).totalMs).toBe(900_000);
    expect(() => demoDeadline({ DEMO_TIMEOUT_SECONDS: 'soon' })).toThrow(
      'DEMO_TIMEOUT_SECONDS must be a number of seconds, got "soon"',
    );
  });
});
