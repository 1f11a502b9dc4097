/**
 * Requests that must not hurt the server: each gets a one-line JSON error with a 4xx status (503
 * when the server sheds load), never a stack trace, and the server answers the next request.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvAsCustomers, postJson, servedProject } from '../helpers/serve.js';

let customer: Record<string, unknown>;

const LIMITS = {
  maxBodyBytes: 20_000,
  maxBufferedBytes: 50_000,
  headersTimeoutMs: 1000,
  bodyTimeoutMs: 1000,
  maxConnections: 40,
};

const served = servedProject(LIMITS);

beforeAll(() => {
  customer = csvAsCustomers(join(served.project.path, 'data', 'new_batch_1.csv'))[0];
});

interface ErrorAnswer {
  status: number;
  headers: Headers;
  error: { status: number; code: string; message: string };
}

async function errorOf(response: Response): Promise<ErrorAnswer> {
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const text = await response.text();
  expect(text).not.toMatch(/\n|\bat .*\.(js|ts):\d+/); // one line, no stack frames
  const { error } = JSON.parse(text) as { error: ErrorAnswer['error'] };
  expect(error.status).toBe(response.status);
  return { status: response.status, headers: response.headers, error };
}

async function stillServes(): Promise<void> {
  const response = await postJson(served.server.url, customer);
  expect(response.status).toBe(200);
  expect((await response.json()).churn_probability).toBeGreaterThan(0);
}

const post = (body: string, type = 'application/json') =>
  fetch(`${served.server.url}/predict`, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  });

/** Writes raw bytes on a new connection and collects everything until the server closes it. */
function raw(
  text: string,
  options: { then?: (write: (more: string) => void) => void; timeoutMs?: number } = {},
): Promise<{ answer: string; closedAfterMs: number }> {
  const { port } = new URL(served.server.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(text);
      options.then?.((more) => socket.write(more));
    });
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined); // a reset after the answer is fine
    socket.on('close', () => resolve({ answer, closedAfterMs: performance.now() - started }));
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open; received: ${answer}`));
    }, options.timeoutMs ?? 10_000);
  });
}

function parseRaw(answer: string): { status: number; headers: string; body: string } {
  const split = answer.indexOf('\r\n\r\n');
  const head = answer.slice(0, split);
  return { status: Number(head.split(' ')[1]), headers: head, body: answer.slice(split + 4) };
}

describe('bad bodies', () => {
  it('answers malformed JSON with 400 and the parser’s reason', async () => {
    const { status, error } = await errorOf(await post('{"idade": 42,'));
    expect(status).toBe(400);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(/^the body is not valid JSON: line 1, column 14: /);
    await stillServes();
  });

  it('answers JSON that is not customers with 400 naming what came', async () => {
    expect((await errorOf(await post('42'))).error.message).toBe(
      'expected a customer (a JSON object of column: value) or an array of them, got a number',
    );
    const mixed = await errorOf(await post(JSON.stringify([customer, 'x'])));
    expect(mixed.status).toBe(400);
    expect(mixed.error.message).toBe('customers[1] is a string, not an object');
    await stillServes();
  });

  it('answers a customer without a feature, or with a nested value, with 422 naming it', async () => {
    const { idade: _, ...without } = customer;
    const missing = await errorOf(await postJson(served.server.url, [customer, without]));
    expect(missing.status).toBe(422);
    expect(missing.error.code).toBe('missing_features');
    expect(missing.error.message).toMatch(
      /^customers\[1\] lacks the model's feature "idade" \(null/,
    );
    const nested = await errorOf(
      await postJson(served.server.url, { ...customer, pais: { name: 'x' } }),
    );
    expect(nested.status).toBe(422);
    expect(nested.error.message).toBe(
      'the customer.pais is an object: expected a number, text or null',
    );
    await stillServes();
  });

  it('answers a CSV without a feature column, or with a ragged row, naming the column or line', async () => {
    const header = Object.keys(customer);
    const row = header.map((key) => customer[key]);
    const lacking = header.filter((key) => key !== 'idade');
    const noColumn = await errorOf(
      await post(
        `${lacking.join(',')}\n${lacking.map((key) => customer[key]).join(',')}\n`,
        'text/csv',
      ),
    );
    expect(noColumn.status).toBe(422);
    expect(noColumn.error.message).toMatch(
      /^the CSV body, line 1: lacks the model's feature column "idade"; columns: /,
    );
    const ragged = await errorOf(
      await post(`${header.join(',')}\n${row.join(',')}\n${row.slice(1).join(',')}\n`, 'text/csv'),
    );
    expect(ragged.status).toBe(400);
    expect(ragged.error.message).toBe(
      'the CSV body, line 3: a row has a different number of fields than the header',
    );
    await stillServes();
  });

  it('answers a body it cannot read with 415 naming the types it takes', async () => {
    const { status, error } = await errorOf(
      await post('idade=42', 'application/x-www-form-urlencoded'),
    );
    expect(status).toBe(415);
    expect(error.message).toMatch(/send Content-Type application\/json .* or text\/csv/);
  });

  it('answers an unknown route with 404 and a wrong method with 405 and Allow', async () => {
    expect((await errorOf(await fetch(`${served.server.url}/predict/all`))).status).toBe(404);
    const wrong = await errorOf(await fetch(`${served.server.url}/predict`));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(wrong.error.message).toBe('/predict answers POST, not GET');
    const explain = await errorOf(
      await fetch(`${served.server.url}/predict?explain=many`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    expect(explain.status).toBe(400);
    expect(explain.error.message).toBe(
      'explain must be a whole number from 1 to 9 (the model\'s features), got "many"',
    );
  });
});

describe('limits', () => {
  const big = () => JSON.stringify(Array.from({ length: 100 }, () => customer)); // ~24 KB

  it('refuses a body over serve.maxBodyBytes with 413, from its Content-Length or as it streams', async () => {
    const declared = await errorOf(await post(big()));
    expect(declared.status).toBe(413);
    expect(declared.error.message).toMatch(
      /^the request body is \d+ bytes, over the 20000 bytes this server takes \(serve.maxBodyBytes\)/,
    );
    const body = big();
    const { answer } = await raw(
      'POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n' +
        `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    const streamed = parseRaw(answer);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error.message).toMatch(
      /^the request body is longer than the 20000 bytes this server takes/,
    );
    await stillServes();
  });

  it('answers headers that never finish with 408 and closes the connection', async () => {
    const { answer, closedAfterMs } = await raw('POST /predict HTTP/1.1\r\nHost: test\r\n');
    const { status, body } = parseRaw(answer);
    expect(status).toBe(408);
    expect(JSON.parse(body).error).toEqual({
      status: 408,
      code: 'headers_timeout',
      message: 'the request headers did not arrive within 1 s',
    });
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    await stillServes();
  });

  it('answers a body that trickles in with 408 after serve.bodyTimeoutSeconds', async () => {
    const { answer } = await raw(
      'POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
        'Content-Length: 500\r\n\r\n[{"idade"',
    );
    const { status, body } = parseRaw(answer);
    expect(status).toBe(408);
    expect(JSON.parse(body).error.message).toBe(
      'the request body did not arrive within 1 s (9 bytes received): send it at once',
    );
    await stillServes();
  });

  it('answers what is not HTTP with 400', async () => {
    const { status, body } = parseRaw((await raw('HELLO THERE\r\n\r\n')).answer);
    expect(status).toBe(400);
    expect(JSON.parse(body).error.code).toBe('bad_request');
    await stillServes();
  });

  it('sheds a body that would pass serve.maxBufferedBytes with 503 and Retry-After, and still takes small ones', async () => {
    // Two slow uploads, 18 KB sent of 19 KB each, hold 36 KB of the 50 KB allowed…
    const slow = () =>
      raw(
        'POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
          `Content-Length: 19000\r\n\r\n[${' '.repeat(18_000)}`,
        { timeoutMs: 5000 },
      );
    // …and one that announces 19 KB but sends nothing holds nothing.
    const announced = raw(
      'POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
        'Content-Length: 19000\r\n\r\n',
      { timeoutMs: 5000 },
    );
    const holding = [slow(), slow(), announced];
    await new Promise((resolve) => setTimeout(resolve, 300));
    // So a third body of 19 KB cannot be held, while a single customer (250 bytes) still fits.
    const third = await errorOf(await post(`[${' '.repeat(18_998)}]`));
    expect(third.status).toBe(503);
    expect(third.error.code).toBe('busy');
    expect(third.headers.get('retry-after')).toBe('1');
    await stillServes();
    for (const held of await Promise.all(holding)) expect(parseRaw(held.answer).status).toBe(408);
    // Once those gave up, the budget is whole again.
    expect((await post(`[${' '.repeat(18_998)}]`)).status).toBe(200);
  });

  it('answers connections past serve.maxConnections with 503 and keeps serving once they close', async () => {
    const { port } = new URL(served.server.url);
    const idle = await Promise.all(
      Array.from(
        { length: LIMITS.maxConnections },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
            socket.on('error', () => undefined);
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { status, body } = parseRaw(
      (await raw('GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n')).answer,
    );
    expect(status).toBe(503);
    expect(JSON.parse(body).error.message).toBe(
      `the server has ${LIMITS.maxConnections} connections open, as many as it allows ` +
        '(serve.maxConnections): retry in a moment',
    );
    for (const socket of idle) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stillServes();
  });
});
