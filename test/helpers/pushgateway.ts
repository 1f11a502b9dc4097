import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../scripts/stack/ports.js';
import { PROMTOOL_BIN, PUSHGATEWAY_BIN } from './monitoring-binaries.js';

export { freePort };

export interface Gateway {
  url: string;
  /** The gateway's exposition, only the lines of churn's families. */
  churnMetrics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real Pushgateway on 127.0.0.1, ready when this resolves. Its store is a file in a folder of
 * its own: Debian's binary otherwise shares /var/lib/prometheus/pushgateway.data with every other
 * gateway on the machine, and one test's groups would appear in another's.
 */
export async function startPushgateway(): Promise<Gateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const storeDir = mkdtempSync(join(tmpdir(), 'churn-gateway-'));
  const child: ChildProcess = spawn(
    PUSHGATEWAY_BIN,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      `--persistence.file=${join(storeDir, 'pushgateway.data')}`,
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('the Pushgateway did not start within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async churnMetrics() {
      const text = await (await fetch(`${url}/metrics`)).text();
      return onlyChurn(text);
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(storeDir, { recursive: true, force: true });
          resolve();
        });
        child.kill();
      }),
  };
}

export function onlyChurn(exposition: string): string {
  return (
    exposition
      .split('\n')
      .filter((line) => /^churn_/.test(line) || /^# (HELP|TYPE) churn_/.test(line))
      .join('\n') + '\n'
  );
}

/** promtool's complaints about an exposition ('' when it has none). */
export function promtoolProblems(exposition: string): string {
  const result = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], {
    input: exposition,
    encoding: 'utf8',
  });
  return result.status === 0
    ? ''
    : `${result.stdout}${result.stderr}`.trim() || `exit ${result.status}`;
}

/** A server that accepts connections and never answers. */
export async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The value of one sample line, e.g. `churn_model_roc_auc{instance="",job="churn_train"}`. */
export function sampleValue(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number | null {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value))
      return Number(match[4]);
  }
  return null;
}
