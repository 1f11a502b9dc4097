/**
 * Runs the README's and the tutorial's commands as a newcomer would: in order, in one clone (a
 * scratch copy of the project), without a monitoring stack until step 3 starts one with
 * `npm run monitoring:up`, then with CHURN_PUSHGATEWAY_URL, PROMETHEUS_URL and API_URL exported
 * as step 3 says (churn serve listening on a free port of its own, CHURN_SERVE_PORT). `npx churn` runs the built CLI; `npm ci` is skipped (the checkout is installed), and
 * `npm run monitoring:up` and `npm run demo` run the real scripts with the stack on free ports and
 * its files under the clone's outputs/, as a reader's would be. What each command printed is kept
 * for its output block, as a reader would see it (normalize.ts).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

export interface BlockRun {
  block: RunnableBlock;
  code: number | null;
  /** Everything it printed, stdout and stderr as they interleaved (stdout only if its block asks). */
  output: string;
  /** Its stderr, when only stdout is shown (for a failure's message). */
  stderr: string;
  /** Its output block's new body, or null when it has none or could not be cut. */
  excerpt: string | null;
  /** Why its excerpt could not be cut (an output block's from= or to= matched nothing). */
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
  npx: `#!/usr/bin/env bash
if [ "$1" = churn ]; then shift; exec "${process.execPath}" "${CHURN_BIN}" "$@"; fi
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

function runBlock(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  stdoutOnly: boolean,
): Promise<{ code: number | null; output: string; stderr: string }> {
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
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stderr });
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
        const { code, output, stderr } = await runBlock(block.script, project, env, stdoutOnly);
        const run: BlockRun = { block, code, output, stderr, excerpt: null };
        if (block.output && code === 0) {
          try {
            run.excerpt = excerpt(forReaders(output, places), block.output.spec);
          } catch (error) {
            run.problem = (error as Error).message;
          }
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

/** Why a command of the docs failed, with what it printed. */
export function describeFailure(document: string, run: BlockRun): string {
  const what = `${document}, command ${run.block.number}:\n${run.block.script}`;
  if (run.problem) return `${what}its output block cannot be cut: ${run.problem}`;
  return `${what}exited with code ${run.code}:\n${run.output}${run.stderr}`;
}
