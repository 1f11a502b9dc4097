/**
 * `churn serve` as a process: it starts on the port asked for (a free one here), stops
 * gracefully on SIGTERM with the requests in flight answered, refuses a bad start with exit code
 * 2, and stays up, serving and within bounds with 10,000 connections open at once.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChurn } from '../helpers/cli.js';
import { platform, requires } from '../helpers/prerequisites.js';
import {
  csvAsCustomers,
  postJson,
  startServeProcess,
  trainedProject,
  type Project,
} from '../helpers/serve.js';

let project: Project;
let customer: Record<string, unknown>;

beforeAll(async () => {
  project = await trainedProject();
  customer = csvAsCustomers(join(project.path, 'data', 'new_batch_1.csv'))[0];
}, 120_000);

afterAll(() => project?.remove());

/** `churn serve --port 0` in the project. */
const serve = (args: string[] = [], env: Record<string, string> = {}) =>
  startServeProcess(project.path, ['--port', '0', ...args], env);

/** Opens a connection and writes `text`; the answer arrives on `answer`. */
function openRequest(port: number, text: string): { socket: Socket; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1', () => socket.write(text));
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, answer };
}

describe('churn serve', () => {
  it('stops on SIGTERM once the request in flight is answered, and exits 0', async () => {
    const server = await serve();
    const body = JSON.stringify(customer);
    const { socket, answer } = openRequest(
      server.port,
      'POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // It no longer takes connections, but finishes the one in flight.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    socket.write(body.slice(10));
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).churn_probability).toBeGreaterThan(
      0,
    );
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/stopping on SIGTERM/);
  });

  it('exits 1 naming the requests it cut off when they outlast serve.shutdownSeconds', async () => {
    const server = await serve([], { CHURN_SERVE_SHUTDOWN_SECONDS: '0.5' });
    const { answer } = openRequest(
      server.port,
      'POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    await answer;
    expect(server.stderr()).toMatch(
      /error: stopped on SIGTERM with 1 request\(s\) still unanswered after serve.shutdownSeconds \(0.5 s\)/,
    );
  });

  it('refuses a port already taken and an unknown model with exit code 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const result = await runChurn(['serve', '--port', String(port)], { cwd: project.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `error: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\): something else listens there; choose another port with --port`,
        ),
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const unknown = await runChurn(
      ['serve', '--port', '0', '--model', '20200101-000000-000-abcd'],
      {
        cwd: project.path,
      },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no model version "20200101-000000-000-abcd"/);
    const badPort = await runChurn(['serve', '--port', '70000'], { cwd: project.path });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port/);
  });
});

const openFiles = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
const CONNECTIONS = 10_000;

requires(
  [
    platform(
      `an open-files limit above ${CONNECTIONS + 1000} (ulimit -n is ${openFiles})`,
      openFiles > CONNECTIONS + 1000 || Number.isNaN(openFiles),
      'raise it with ulimit -n 20000',
    ),
    platform('Linux /proc', spawnSync('test', ['-d', '/proc/self']).status === 0, 'run on Linux'),
  ],
  'the server with 10,000 connections open',
).it(
  'keeps serving with 10,000 connections open, its memory bounded, and closes the idle ones',
  async () => {
    // Long enough for every connection to be open at once on a loaded machine.
    const server = await serve([], { CHURN_SERVE_HEADERS_TIMEOUT_SECONDS: '20' });
    const rss = () =>
      Number(
        /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1],
      ) / 1024;
    try {
      expect((await postJson(server.url, customer)).status).toBe(200);
      const before = rss();
      const sockets: Socket[] = [];
      const answers: string[] = [];
      for (let opened = 0; opened < CONNECTIONS; opened += 500) {
        await Promise.all(
          Array.from(
            { length: 500 },
            () =>
              new Promise<void>((resolve, reject) => {
                const socket = connect(server.port, '127.0.0.1', () => resolve());
                socket.on('error', reject);
                let answer = '';
                socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
                socket.once('end', () => answers.push(answer));
                // Half a request each, as a slow or hostile client leaves it.
                socket.write('POST /predict HTTP/1.1\r\nHost: test\r\n');
                sockets.push(socket);
              }),
          ),
        );
      }
      const closed = sockets.map(
        (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
      );
      // With all of them open, a customer is still scored…
      const started = performance.now();
      const response = await postJson(server.url, customer);
      expect(response.status).toBe(200);
      expect((await response.json()).churn_probability).toBeGreaterThan(0);
      expect(performance.now() - started).toBeLessThan(5000);
      // …and they cost little memory: less than 20 KB each.
      expect(rss() - before).toBeLessThan((CONNECTIONS * 20) / 1024);
      // The headers timeout answers and ends them all; the server goes on.
      await Promise.all(closed);
      expect(answers.length).toBe(CONNECTIONS);
      expect(answers.filter((answer) => answer.startsWith('HTTP/1.1 408 ')).length).toBe(
        CONNECTIONS,
      );
      expect((await postJson(server.url, customer)).status).toBe(200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(
        new RegExp(
          `^churn_api_requests_total\\{route="other",status="408"\\} ${CONNECTIONS}$`,
          'm',
        ),
      );
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  },
  120_000,
);
