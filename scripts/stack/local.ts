/**
 * Runs the monitoring stack from locally installed binaries, in the background: configuration
 * copies, data, logs and PID files under one directory; each service waited on until ready.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { isAlive } from '../../src/common/processes.js';
import { writeGrafanaProvisioning } from './grafana.js';
import { renderAlertmanagerConfig, renderPrometheusConfig, type Addresses } from './render.js';
import {
  findBinary,
  MONITORING_DIR,
  SCORING_API,
  SERVICES,
  type ServiceContext,
  type ServiceName,
  type ServiceSpec,
} from './services.js';
import { seconds, sleep, StackError, StopWaiting, waitFor, type Deadline } from './wait.js';

export interface StackOptions extends ServiceContext {
  /** Scrape and rule-evaluation interval instead of the configured one (tests use 1s). */
  interval?: string;
  readyTimeoutMs?: number;
  /** The overall deadline of the command that starts the stack (the demo's). */
  deadline?: Deadline;
  /** Where to look for the binaries (default: PATH). */
  path?: string;
  /** Optional services not to start even when installed (tests that do not need Grafana). */
  leaveOut?: ServiceName[];
}

export interface ServiceState {
  name: ServiceName;
  title: string;
  url: string;
  pid: number | null;
  ready: boolean;
  /** False when `up` found it already running. */
  started?: boolean;
}

/** A stack's folder and ports, and which of its optional services it may run. */
export type StackSelection = ServiceContext & Pick<StackOptions, 'path' | 'leaveOut'>;

/**
 * The services this stack runs: every required one, and the optional ones that are installed
 * (or already running) and not left out.
 */
function activeServices(options: StackSelection): ServiceSpec[] {
  return SERVICES.filter(
    (spec) =>
      !spec.optional ||
      (!options.leaveOut?.includes(spec.name) &&
        (findBinary(spec, options.path) !== null || runningPid(options.dir, spec) !== null)),
  );
}

export async function startLocalStack(options: StackOptions): Promise<ServiceState[]> {
  const binaries = new Map(SERVICES.map((spec) => [spec.name, findBinary(spec, options.path)]));
  const missing = SERVICES.filter((spec) => !spec.optional && !binaries.get(spec.name));
  if (missing.length > 0) {
    const packages = missing.map((spec) => spec.debianPackage).join(' ');
    throw new StackError(
      `not installed: ${missing.map((spec) => spec.binaries[0]).join(', ')}. ` +
        `On Debian or Ubuntu: sudo apt-get install ${packages}; ` +
        'or, with Docker: docker compose -f monitoring/docker-compose.yml up -d',
    );
  }
  const active = activeServices(options);
  mkdirSync(options.dir, { recursive: true });
  writeConfigs(options, active);

  const started: ServiceState[] = [];
  const states: ServiceState[] = [];
  try {
    for (const spec of active) {
      const url = serviceUrl(options, spec.name);
      const pid = runningPid(options.dir, spec);
      if (pid !== null) {
        // Already up: make it read the configuration just written (rule edits, new ports).
        if (spec.name === 'prometheus' || spec.name === 'alertmanager')
          await reload(spec, url, options.dir);
        states.push({ name: spec.name, title: spec.title, url, pid, ready: true, started: false });
        continue;
      }
      await assertPortFree(spec, options.ports[spec.name]);
      const state = launch(spec, binaries.get(spec.name)!, options, url);
      started.push(state);
      await waitReady(spec, state, options);
      states.push(state);
    }
  } catch (error) {
    await Promise.all(started.map((state) => stopProcess(state.pid!)));
    for (const state of started) removePidFile(options.dir, state.name);
    throw error;
  }
  return states;
}

/** Stops every service this directory's PID files name, the last started first. */
export async function stopLocalStack(dir: string): Promise<ServiceState[]> {
  const stopped: ServiceState[] = [];
  for (const spec of [...SERVICES].reverse()) {
    const pid = runningPid(dir, spec);
    if (pid !== null) {
      await stopProcess(pid);
      stopped.push({ name: spec.name, title: spec.title, url: '', pid, ready: false });
    }
    removePidFile(dir, spec.name);
  }
  return stopped;
}

/** Every service this stack would run, running or not. */
export async function localStackStatus(context: StackSelection): Promise<ServiceState[]> {
  return Promise.all(
    activeServices(context).map(async (spec) => {
      const url = serviceUrl(context, spec.name);
      const pid = runningPid(context.dir, spec);
      return {
        name: spec.name,
        title: spec.title,
        url,
        pid,
        ready: pid !== null && (await isReady(spec, url)),
      };
    }),
  );
}

export function serviceUrl(context: ServiceContext, name: ServiceName): string {
  return `http://127.0.0.1:${context.ports[name]}`;
}

function writeConfigs(options: StackOptions, active: ServiceSpec[]): void {
  const addresses: Addresses = Object.fromEntries([
    ...SERVICES.map((spec) => [spec.composeAddress, `127.0.0.1:${options.ports[spec.name]}`]),
    [SCORING_API.composeAddress, `127.0.0.1:${options.apiPort ?? SCORING_API.defaultPort}`],
  ]);
  const prometheusSource = join(MONITORING_DIR, 'prometheus', 'prometheus.yml');
  const prometheus = renderPrometheusConfig(readFileSync(prometheusSource, 'utf8'), {
    addresses,
    sourcePath: prometheusSource,
    interval: options.interval,
  });
  const alertmanagerSource = join(MONITORING_DIR, 'alertmanager', 'alertmanager.yml');
  const alertmanager = renderAlertmanagerConfig(
    readFileSync(alertmanagerSource, 'utf8'),
    addresses,
  );
  const header = (source: string) =>
    `# Rendered from ${source} by npm run monitoring:up; edit that file, not this one.\n`;
  writeFileSync(join(options.dir, 'prometheus.yml'), header(prometheusSource) + prometheus);
  writeFileSync(join(options.dir, 'alertmanager.yml'), header(alertmanagerSource) + alertmanager);
  if (active.some((spec) => spec.name === 'grafana')) {
    writeGrafanaProvisioning({ dir: options.dir, monitoringDir: MONITORING_DIR }, addresses);
  }
}

function launch(
  spec: ServiceSpec,
  binary: string,
  options: StackOptions,
  url: string,
): ServiceState {
  const logPath = join(options.dir, `${spec.name}.log`);
  const log = openSync(logPath, 'a');
  try {
    const child = spawn(binary, spec.args(options, binary), {
      cwd: options.dir,
      env: { ...process.env, ...spec.env?.(options) },
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new StackError(`${spec.title}: ${binary} did not start`);
    child.unref();
    writeFileSync(pidPath(options.dir, spec.name), `${child.pid}\n`);
    return { name: spec.name, title: spec.title, url, pid: child.pid, ready: false, started: true };
  } finally {
    closeSync(log);
  }
}

async function waitReady(
  spec: ServiceSpec,
  state: ServiceState,
  options: StackOptions,
): Promise<void> {
  const logPath = join(options.dir, `${spec.name}.log`);
  const tail = () => readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n  ');
  await waitFor(
    `${spec.title} to answer ${state.url}${spec.readyPath}`,
    async () => {
      if (await isReady(spec, state.url)) return true;
      if (isRunning(state.pid!)) return undefined;
      throw new StopWaiting(
        `${spec.title} exited before it was ready; last lines of ${logPath}:\n  ${tail()}\n` +
          'Next: fix what the log says, then npm run monitoring:up again.',
      );
    },
    {
      timeoutMs: options.readyTimeoutMs ?? spec.readyTimeoutMs ?? 30_000,
      deadline: options.deadline,
      intervalMs: 100,
      next:
        `read ${logPath} (last lines:\n  ${tail()}\n). A busy machine may need longer: ` +
        'npm run monitoring:up again keeps what is ready and waits for the rest.',
    },
  );
  state.ready = true;
}

/** Makes a running service read the configuration just written (rule edits, new ports). */
async function reload(spec: ServiceSpec, url: string, dir: string): Promise<void> {
  const timeoutMs = 10_000;
  const response = await fetch(`${url}/-/reload`, {
    method: 'POST',
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((error: unknown) => error as Error);
  if (response instanceof Response && response.ok) return;
  const reason =
    response instanceof Response
      ? `HTTP ${response.status}: ${(await response.text()).trim()}`
      : response.name === 'TimeoutError'
        ? `no answer within ${seconds(timeoutMs)}`
        : response.message;
  throw new StackError(
    `${spec.title} runs but did not reload its configuration (POST ${url}/-/reload: ${reason}). ` +
      `Next: check ${join(dir, `${spec.name}.log`)} or restart it: ` +
      'npm run monitoring:down, then npm run monitoring:up.',
  );
}

async function isReady(spec: ServiceSpec, url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}${spec.readyPath}`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function assertPortFree(spec: ServiceSpec, port: number): Promise<void> {
  const server = createServer();
  const taken = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
  if (taken) {
    throw new StackError(
      `port ${port} is taken, so ${spec.title} cannot listen there: stop what uses it ` +
        `(ss -ltnp 'sport = :${port}' names it) or choose another port with ${spec.portVariable}=PORT`,
    );
  }
}

/** The PID of this directory's running instance of a service, or null. */
function runningPid(dir: string, spec: ServiceSpec): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(pidPath(dir, spec.name), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return null;
  return runsService(pid, spec) ? pid : null;
}

/** Whether a PID still runs the service, not an unrelated process that reused the number. */
function runsService(pid: number, spec: ServiceSpec): boolean {
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true; // no /proc (macOS): trust the PID file
  }
  const names = spec.binaries.length > 0 ? spec.binaries : ['server.mjs'];
  return names.some((name) => commandLine.includes(name));
}

async function stopProcess(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Alive and not a zombie: a service started by this very process (as in tests) stays a zombie
 * after it exits until Node reaps it, and a zombie still answers signal 0.
 */
function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function pidPath(dir: string, name: ServiceName): string {
  return join(dir, `${name}.pid`);
}

function removePidFile(dir: string, name: ServiceName): void {
  rmSync(pidPath(dir, name), { force: true });
}
