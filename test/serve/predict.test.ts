/**
 * POST /predict and the read-only routes, over real HTTP: the API must give each customer the
 * numbers `churn predict` writes for the same row, to the last digit, whichever way the customers
 * are sent.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requires } from '../helpers/prerequisites.js';
import { COURSE_DATA, SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { csvAsCustomers, postJson, servedProject } from '../helpers/serve.js';

const served = servedProject();

/** `churn predict`'s output for a file: header and lines. */
async function predicted(data: string): Promise<string> {
  const out = join(served.project.path, 'outputs', 'scored.csv');
  await served.project.churn(['predict', '--data', data, '--out', out, '--quiet']);
  return readFileSync(out, 'utf8');
}

function asJsonRows(csv: string): Array<Record<string, unknown>> {
  const [, ...lines] = csv.trim().split('\n');
  return lines.map((line) => {
    const [id, probability, predicted, risk] = line.split(',');
    return {
      id_cliente: Number(id),
      churn_probability: Number(probability),
      churn_predicted: Number(predicted),
      risk_level: risk,
    };
  });
}

async function postCsv(text: string, accept = 'application/json'): Promise<Response> {
  return fetch(`${served.server.url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', accept },
    body: text,
  });
}

describe('POST /predict', () => {
  for (const file of ['new_batch_1.csv', 'new_batch_2.csv']) {
    it(`answers a CSV of ${file} with the very bytes churn predict writes`, async () => {
      const expected = await predicted(join('data', file));
      const response = await postCsv(
        readFileSync(join(served.project.path, 'data', file), 'utf8'),
        'text/csv',
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('churn-model-version')).toBe(served.server.modelVersion());
      expect(await response.text()).toBe(expected);
    });
  }

  it('gives a JSON array of customers the numbers churn predict writes, in order', async () => {
    const expected = asJsonRows(await predicted('data/new_batch_1.csv'));
    const customers = csvAsCustomers(join(served.project.path, 'data', 'new_batch_1.csv'));
    const response = await postJson(served.server.url, customers);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { model_version: string; predictions: unknown[] };
    expect(answer.model_version).toBe(served.server.modelVersion());
    expect(answer.predictions).toEqual(expected);
    expect(answer).not.toHaveProperty('warnings');
  });

  it('answers one customer sent as an object with one object, the same numbers again', async () => {
    const expected = asJsonRows(await predicted('data/new_batch_2.csv'));
    const customers = csvAsCustomers(join(served.project.path, 'data', 'new_batch_2.csv'));
    // Spread over the file: every risk level, both predictions.
    const picked = customers.map((_, i) => i).filter((i) => i % 40 === 0);
    const levels = new Set<unknown>();
    for (const i of picked) {
      const response = await postJson(served.server.url, customers[i]);
      expect(response.status).toBe(200);
      const answer = await response.json();
      expect(answer).toEqual({ ...expected[i], model_version: served.server.modelVersion() });
      levels.add(answer.risk_level);
    }
    expect([...levels].sort()).toEqual(['high', 'low', 'medium']);
  });

  it('reads a CSV in JSON out, semicolons and decimal commas as churn predict reads them', async () => {
    const source = readFileSync(join(served.project.path, 'data', 'new_batch_1.csv'), 'utf8');
    const [header, ...lines] = source.trim().split('\n');
    const european =
      [header, ...lines.slice(0, 200)]
        .map((line) => line.replaceAll(',', ';').replace(/(\d)\.(\d)/g, '$1,$2'))
        .join('\r\n') + '\r\n';
    writeFileSync(join(served.project.path, 'data', 'european.csv'), '\ufeff' + european);
    const expected = asJsonRows(await predicted('data/european.csv')).map((row) => ({
      ...row,
      id_cliente: String(row.id_cliente), // a CSV's id is text
    }));
    const response = await postCsv('\ufeff' + european);
    expect(response.status).toBe(200);
    expect((await response.json()).predictions).toEqual(expected);
  });

  it('scores unseen categories, text in a number and nulls as missing, as churn predict does, and says so', async () => {
    const customers = csvAsCustomers(join(served.project.path, 'data', 'new_batch_1.csv')).slice(
      0,
      3,
    );
    customers[0].pais = 'São Tomé…'; // beyond Latin-1 too, for the CSV answer's header
    customers[1].idade = 'forty';
    customers[2].saldo_conta = null;
    const header = Object.keys(customers[0]);
    const csv =
      [header.join(','), ...customers.map((c) => header.map((k) => c[k] ?? '').join(','))].join(
        '\n',
      ) + '\n';
    writeFileSync(join(served.project.path, 'data', 'odd.csv'), csv);
    const expected = asJsonRows(await predicted('data/odd.csv'));
    const response = await postJson(served.server.url, customers);
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.predictions).toEqual(expected);
    expect(answer.warnings).toEqual([
      '1 row(s) of the request have pais values the model never saw ("São Tomé…"): scored as missing',
      '1 row(s) of the request have idade values that are not numbers ("forty"): scored as missing',
    ]);
    const asCsv = await postCsv(csv, 'text/csv');
    expect(asCsv.status).toBe(200);
    expect(await asCsv.text()).toBe(await predicted('data/odd.csv'));
    expect(JSON.parse(asCsv.headers.get('churn-warnings')!)).toEqual([
      answer.warnings[0].replace('the request', 'the CSV body'),
      answer.warnings[1].replace('the request', 'the CSV body'),
    ]);
  });

  it('gives ?explain=3 the reasons churn predict --explain 3 writes, as JSON or as its CSV', async () => {
    // A hundred customers of the drifted batch: exact TreeSHAP costs a hundred scorings.
    const file = join(served.project.path, 'data', 'to-explain.csv');
    const text = readFileSync(join(served.project.path, 'data', 'new_batch_2.csv'), 'utf8');
    writeFileSync(file, text.split('\n').slice(0, 101).join('\n') + '\n');
    const out = join(served.project.path, 'outputs', 'explained.csv');
    await served.project.churn([
      'predict',
      '--data',
      file,
      '--explain',
      '3',
      '--out',
      out,
      '--quiet',
    ]);
    const expected = readFileSync(out, 'utf8');
    const csv = await fetch(`${served.server.url}/predict?explain=3`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      body: readFileSync(file, 'utf8'),
    });
    expect(csv.status).toBe(200);
    expect(await csv.text()).toBe(expected);

    const customers = csvAsCustomers(file);
    const response = await fetch(`${served.server.url}/predict?explain=3`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(customers),
    });
    const { predictions } = (await response.json()) as {
      predictions: Array<{
        reasons: Array<{ feature: string; value: unknown; contribution: number }>;
      }>;
    };
    const [, ...lines] = expected.trim().split('\n');
    predictions.forEach((prediction, i) => {
      const cells = lines[i].split(',');
      const reasons = [0, 1, 2].map((k) => {
        const [feature, value] = cells[4 + 2 * k].split('=');
        return { feature, value, contribution: Number(cells[5 + 2 * k]) };
      });
      expect(
        prediction.reasons.map((r) => ({
          ...r,
          value: r.value === null ? '(missing)' : String(r.value),
        })),
        `customer ${i}`,
      ).toEqual(reasons);
    });
    const single = await (
      await fetch(`${served.server.url}/predict?explain=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(customers[0]),
      })
    ).json();
    expect(single.reasons).toEqual(predictions[0].reasons.slice(0, 1));
  });

  it('answers an empty array with no predictions', async () => {
    const response = await postJson(served.server.url, []);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      model_version: served.server.modelVersion(),
      predictions: [],
    });
  });

  requires(COURSE_DATA, "the API's numbers on the course's own batches").it(
    'gives the course data the numbers churn predict writes',
    async () => {
      const file = join(SHARED_DATA_DIR, 'dados_novos_1.csv');
      const expected = asJsonRows(await predicted(file));
      const response = await postJson(served.server.url, csvAsCustomers(file));
      expect((await response.json()).predictions).toEqual(expected);
    },
    60_000,
  );
});

describe('the read-only routes', () => {
  it('says it is alive and ready, with the model it serves', async () => {
    const health = await fetch(`${served.server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${served.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      model_version: served.server.modelVersion(),
    });
    const head = await fetch(`${served.server.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('describes the model served: its version, threshold, features and holdout metrics', async () => {
    const version = served.server.modelVersion()!;
    const metadata = JSON.parse(
      readFileSync(join(served.project.modelsDir, version, 'metadata.json'), 'utf8'),
    );
    const response = await fetch(`${served.server.url}/model`);
    expect(response.status).toBe(200);
    const model = await response.json();
    expect(model).toMatchObject({
      version,
      champion: version,
      loadFailure: null,
      threshold: metadata.threshold,
      // Medium risk from the model's threshold, high from 0.5: the defaults.
      risk: { medium: metadata.threshold, high: Math.max(0.5, metadata.threshold) },
      calibration: 'platt',
      id: 'id_cliente',
      metrics: metadata.metrics,
      params: metadata.params,
      trainedOn: { rows: 5100, holdoutRows: 900 },
    });
    expect(model.features.map((feature: { name: string }) => feature.name).sort()).toEqual([
      'anos_cliente',
      'cartao_credito',
      'escore_credito',
      'genero',
      'idade',
      'numero_produtos',
      'pais',
      'salario_estimado',
      'saldo_conta',
    ]);
    expect(model.features.find((feature: { name: string }) => feature.name === 'pais')).toEqual({
      name: 'pais',
      kind: 'categorical',
      categories: ['Alemanha', 'Espanha', 'França'],
    });
  });
});
