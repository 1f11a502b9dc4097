/**
 * Runs the README's and the tutorial's commands as a newcomer would: in order, in one clone (a
 * scratch copy of the project), without a monitoring stack until step 3 starts one with
 * `npm run monitoring:up`, then with CHURN_PUSHGATEWAY_URL, PROMETHEUS_URL and API_URL exported
 * as step 3 says (churn serve listening on a free port of its own, CHURN_SERVE_PORT). `npx churn`
 * runs the built CLI as npx does, as a child of a shell that passes no signal on (so a `kill` of a
 * backgrounded `npx churn serve` misses the server here too), and `node bin/churn.js` is the
 * checkout's; `npm ci` is skipped (the checkout is installed), and `npm run monitoring:up` and
 * `npm run demo` run the real scripts with the stack on free ports and its files under the
 * clone's outputs/, as a reader's would be. What each command printed is kept for its output
 * block, as a reader would see it (normalize.ts). A block that leaves something listening on
 * churn serve's port has a problem: the reader's next `churn serve`, or the demo, would find the
 * port taken.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copySampleProject } from '../sample-project.js';
import { stopLocalStack } from '../stack/local.js';
import { freePort } from '../stack/ports.js';
import { REPOSITORY_ROOT, SCORING_API, SERVICES, type ServiceName } from '../stack/services.js';
import {
  excerpt,
  readDocument,
  runnableBlocks,
  runnableDocuments,
  type RunnableBlock,
} from './documents.js';
import { forReaders, type RunPlaces } from './normalize.js';

const CHURN_BIN = join(REPOSITORY_ROOT, 'bin', 'churn.js');
const TSX = join(REPOSITORY_ROOT, 'node_modules', '.bin', 'tsx');
const BLOCK_TIMEOUT_MS = 240_000;
/** How long the output may stay open after a block's shell exits before a stray holds it. */
const STRAY_GRACE_MS = 3_000;

export interface BlockRun {
  block: RunnableBlock;
  code: number | null;
  /** Everything it printed, stdout and stderr as they interleaved (stdout only if its block asks). */
  output: string;
  /** Its stderr, when only stdout is shown (for a failure's message). */
  stderr: string;
  /** Its output block's new body, or null when it has none or could not be cut. */
  excerpt: string | null;
  /**
   * What went wrong besides its exit code: its excerpt could not be cut (an output block's from=
   * or to= matched nothing), or it left a process running.
   */
  problem?: string;
}

export interface DocumentRun {
  document: string;
  text: string;
  runs: BlockRun[];
}

export interface TutorialRun {
  documents: DocumentRun[];
  places: RunPlaces;
  /** The stack's Prometheus, while it runs. */
  prometheus: string | null;
  /** Stops the stack and removes the scratch folder. */
  close(): Promise<void>;
}

const SHIMS = (stackDir: string): Record<string, string> => ({
  // Not exec: npx, too, runs churn as the child of a shell, which a SIGTERM stops alone.
  npx: `#!/usr/bin/env bash
if [ "$1" = churn ]; then shift; "${process.execPath}" "${CHURN_BIN}" "$@"; exit $?; fi
echo "the tutorial's run has only npx churn, not: npx $*" >&2; exit 127
`,
  npm: `#!/usr/bin/env bash
case "$1 $2" in
  "ci "*) exit 0 ;; # the checkout is installed already
  "run monitoring:up") exec "${TSX}" "${REPOSITORY_ROOT}scripts/monitoring.ts" up --local ;;
  "run monitoring:down") exec "${TSX}" "${REPOSITORY_ROOT}scripts/monitoring.ts" down --local ;;
  "run demo") exec "${TSX}" "${REPOSITORY_ROOT}scripts/demo.ts" --local ;;
esac
echo "the tutorial's run does not run: npm $* (stack in ${stackDir})" >&2; exit 127
`,
});

export function runBlock(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  stdoutOnly: boolean,
): Promise<{ code: number | null; output: string; stderr: string; leftRunning: boolean }> {
  return new Promise((resolve, reject) => {
    // One pipe for both streams keeps their order, as a terminal shows them.
    const prelude = stdoutOnly ? '' : 'exec 2>&1\n';
    const child = spawn('bash', ['-eo', 'pipefail', '-c', prelude + script], { cwd, env });
    let output = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), BLOCK_TIMEOUT_MS);
    child.on('error', reject);
    let grace: NodeJS.Timeout | undefined;
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(grace);
      resolve({ code, output, stderr, leftRunning: false });
    });
    // The output stays open after the shell exits while a process it started in the background
    // still holds it: a reader's terminal would give the prompt back, so the run goes on too.
    child.on('exit', (code) => {
      grace = setTimeout(() => {
        clearTimeout(timer);
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, output, stderr, leftRunning: true });
      }, STRAY_GRACE_MS);
    });
  });
}

export async function runTutorial(
  progress: (line: string) => void = () => undefined,
): Promise<TutorialRun> {
  const root = mkdtempSync(join(tmpdir(), 'churn-tutorial-'));
  const project = join(root, 'clone');
  const stackDir = join(project, 'outputs', 'monitoring');
  copySampleProject(project);
  // `node bin/churn.js` as in a clone: node follows the link, so it loads the checkout's dist/.
  mkdirSync(join(project, 'bin'));
  symlinkSync(CHURN_BIN, join(project, 'bin', 'churn.js'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const [name, text] of Object.entries(SHIMS(stackDir))) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  const ports = {} as Record<ServiceName, number>;
  for (const spec of SERVICES) ports[spec.name] = await freePort();
  // churn serve too listens on a free port, where the stack scrapes it (CHURN_SERVE_PORT).
  const apiPort = await freePort();
  const places: RunPlaces = {
    project,
    ports: [
      ...SERVICES.map((spec): [number, number] => [ports[spec.name], spec.defaultPort]),
      [apiPort, SCORING_API.defaultPort],
    ],
  };
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) =>
          !key.startsWith('CHURN_') &&
          key !== 'FORCE_COLOR' &&
          key !== 'PROMETHEUS_URL' &&
          key !== 'API_URL',
      ),
    ),
    PATH: `${bin}:${process.env.PATH}`,
    NO_COLOR: '1',
    STACK_DIR: stackDir,
    DEMO_DIR: join(project, 'outputs', 'demo'),
    // Scrapes every second rather than every 15: the same figures, sooner.
    SCRAPE_INTERVAL: '1s',
    ...Object.fromEntries(SERVICES.map((spec) => [spec.portVariable, String(ports[spec.name])])),
    [SCORING_API.portVariable]: String(apiPort),
  };
  let prometheus: string | null = null;
  const close = async () => {
    await stopLocalStack(stackDir);
    stopProcessesIn(root);
    rmSync(root, { recursive: true, force: true });
  };

  const documents: DocumentRun[] = [];
  try {
    for (const document of runnableDocuments()) {
      const text = readDocument(document);
      const runs: BlockRun[] = [];
      for (const block of runnableBlocks(document, text)) {
        progress(`${document} #${block.number}: ${block.script.split('\n')[0]}`);
        const stdoutOnly = block.output?.spec.stdout ?? false;
        const { code, output, stderr, leftRunning } = await runBlock(
          block.script,
          project,
          env,
          stdoutOnly,
        );
        const run: BlockRun = { block, code, output, stderr, excerpt: null };
        if (block.output && code === 0) {
          try {
            run.excerpt = excerpt(forReaders(output, places), block.output.spec);
          } catch (error) {
            run.problem = `its output block cannot be cut: ${(error as Error).message}`;
          }
        }
        const servesStill = await listening(apiPort);
        if (servesStill || leftRunning) {
          run.problem ??=
            (servesStill
              ? `it left a process listening on churn serve's port (${SCORING_API.defaultPort} ` +
                "for a reader), so the reader's next churn serve or npm run demo finds it taken"
              : 'it left a process it started in the background running') +
            ': a kill that reached npx rather than churn? (stopped now)';
          stopProcessesIn(root);
        }
        runs.push(run);
        if (code === 0 && /\bnpm run monitoring:up\b/.test(block.script)) {
          // What step 3 tells the reader to export.
          prometheus = `http://127.0.0.1:${ports.prometheus}`;
          env.CHURN_PUSHGATEWAY_URL = `http://127.0.0.1:${ports.pushgateway}`;
          env.PROMETHEUS_URL = prometheus;
          env.API_URL = `http://127.0.0.1:${apiPort}`;
        }
      }
      documents.push({ document, text, runs });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { documents, places, prometheus, close };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM to every churn process working in the run's scratch folder (one a block left behind). */
function stopProcessesIn(root: string): void {
  if (!existsSync('/proc')) return;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const inRun = cwd === root || cwd.startsWith(`${root}/`);
      if (inRun && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('churn.js')) {
        process.kill(Number(pid), 'SIGTERM');
      }
    } catch {
      // Gone already, or not ours to read.
    }
  }
}

/** Why a command of the docs failed, with what it printed. */
export function describeFailure(document: string, run: BlockRun): string {
  const what = `${document}, command ${run.block.number}:\n${run.block.script}`;
  if (run.problem) {
    return `${what}${run.problem}${run.code === 0 ? '' : ` (and it exited with code ${run.code})`}`;
  }
  return `${what}exited with code ${run.code}:\n${run.output}${run.stderr}`;
}
