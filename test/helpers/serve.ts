/**
 * A trained sample project and the scoring API on it: the real server in this process, on
 * 127.0.0.1 with a port the system picks, its state in a temporary folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';
import { startServing, type RunningServer, type ServeJobOptions } from '../../src/jobs/serve.js';
import { csvCustomers } from '../../scripts/load-test.js';
import { CHURN_BIN, copySampleProject, runChurn, tempDir } from './cli.js';
import { silentLogger } from '../../support/silent-logger.js';

export interface Project {
  path: string;
  modelsDir: string;
  /** Runs churn in the project; fails the test on a non-zero exit. */
  churn(args: string[]): Promise<string>;
  remove(): void;
}

/** The shipped sample data and configuration in a scratch folder, a model trained on it. */
export async function trainedProject(): Promise<Project> {
  const scratch = tempDir();
  copySampleProject(scratch.path);
  const churn = async (args: string[]) => {
    const result = await runChurn(args, { cwd: scratch.path, timeoutMs: 120_000 });
    if (result.code !== 0) throw new Error(`churn ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  await churn(['train', '--quiet']);
  return {
    path: scratch.path,
    modelsDir: join(scratch.path, 'outputs', 'models'),
    churn,
    remove: scratch.remove,
  };
}

/** The settings `churn serve` takes by default, on a port the system picks. */
export function serveOptions(
  project: Pick<Project, 'path' | 'modelsDir'>,
  overrides: Partial<ServeJobOptions> = {},
): ServeJobOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1 << 20,
    maxBufferedBytes: 64 << 20,
    maxConnections: 10_000,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5000,
    // The configuration's defaults, as `churn predict` scores with them.
    risk: {
      medium: CONFIG_SCHEMA['risk.medium'].default,
      high: CONFIG_SCHEMA['risk.high'].default,
    },
    maxFieldSize: 1_000_000,
    explainMethod: 'exact',
    modelsDir: project.modelsDir,
    cwd: project.path,
    watchSeconds: 1,
    ...overrides,
  };
}

export function startServer(
  project: Pick<Project, 'path' | 'modelsDir'>,
  overrides: Partial<ServeJobOptions> = {},
): Promise<RunningServer> {
  return startServing(serveOptions(project, overrides), silentLogger);
}

/**
 * A trained project and a server on it for the tests of one file: made before them, stopped and
 * removed after them. Read its fields inside the tests, once the hooks have run.
 */
export function servedProject(overrides: Partial<ServeJobOptions> = {}): {
  project: Project;
  server: RunningServer;
} {
  const served = {} as { project: Project; server: RunningServer };
  beforeAll(async () => {
    served.project = await trainedProject();
    served.server = await startServer(served.project, overrides);
  }, 120_000);
  afterAll(async () => {
    await served.server?.stop(1000);
    served.project?.remove();
  });
  return served;
}

/** A CSV file's rows as JSON objects, numbers as numbers, as a client would send them. */
export const csvAsCustomers = csvCustomers;

export async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `churn serve` as its own process in `cwd`; resolves once it prints where it listens. */
export function startServeProcess(
  cwd: string,
  args: string[] = ['--port', '0'],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CHURN_BIN, 'serve', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = /serving on (http:\/\/[\d.]+:(\d+))/.exec(stdout);
      if (!url) return;
      resolve({
        child,
        url: url[1],
        port: Number(url[2]),
        stderr: () => stderr,
        exited,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`churn serve exited (${code}): ${stderr}`)));
  });
}
