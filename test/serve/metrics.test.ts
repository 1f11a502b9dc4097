/**
 * GET /metrics: what Prometheus scrapes from the server, lint-clean by promtool, counting what the
 * requests did.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { PROMTOOL_BIN } from '../helpers/monitoring-binaries.js';
import { binary, requires } from '../helpers/prerequisites.js';
import { promtoolProblems } from '../helpers/pushgateway.js';
import { csvAsCustomers, postJson, servedProject } from '../helpers/serve.js';

const served = servedProject();

/** The value of one sample line of the exposition, or undefined. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const gate = requires(
  [binary(PROMTOOL_BIN, 'prometheus')],
  "the API's exposition against promtool",
);

gate.describe('GET /metrics', () => {
  gate.it(
    'counts requests, customers by risk level and scores, and passes promtool check metrics',
    async () => {
      const customers = csvAsCustomers(join(served.project.path, 'data', 'new_batch_2.csv')).slice(
        0,
        300,
      );
      const batch = (await (await postJson(served.server.url, customers)).json()) as {
        predictions: Array<{ risk_level: string }>;
      };
      for (const customer of customers.slice(0, 5)) {
        expect((await postJson(served.server.url, customer)).status).toBe(200);
      }
      expect((await postJson(served.server.url, { idade: 1 })).status).toBe(422);
      expect((await fetch(`${served.server.url}/nowhere`)).status).toBe(404);

      const response = await fetch(`${served.server.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(promtoolProblems(text)).toBe('');

      expect(sample(text, 'churn_api_requests_total{route="/predict",status="200"}')).toBe(6);
      expect(sample(text, 'churn_api_requests_total{route="/predict",status="422"}')).toBe(1);
      expect(sample(text, 'churn_api_requests_total{route="other",status="404"}')).toBe(1);
      expect(
        sample(text, 'churn_api_request_duration_seconds_count{route="/predict",status="200"}'),
      ).toBe(6);
      // This scrape is the one request in flight while the exposition is made.
      expect(sample(text, 'churn_api_requests_in_flight')).toBe(1);

      // The batch's customers, and its first five again one at a time.
      const levels: Record<string, number> = { low: 0, medium: 0, high: 0 };
      for (const { risk_level } of [...batch.predictions, ...batch.predictions.slice(0, 5)]) {
        levels[risk_level]++;
      }
      for (const level of ['low', 'medium', 'high']) {
        expect(sample(text, `churn_api_predictions_total{level="${level}"}`), level).toBe(
          levels[level],
        );
      }
      expect(sample(text, 'churn_api_prediction_score_count')).toBe(305);
      expect(text).toMatch(
        new RegExp(
          `^churn_model_info\\{version="${served.server.modelVersion()}",trees="100",.*\\} 1$`,
          'm',
        ),
      );
      expect(sample(text, 'churn_api_model_loads_total{outcome="loaded"}')).toBe(1);
      for (const family of [
        'process_cpu_seconds_total',
        'process_start_time_seconds',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(text).toMatch(new RegExp(`^${family} `, 'm'));
      }
    },
  );
});
