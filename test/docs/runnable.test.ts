/**
 * The docs cannot rot: every code block marked `sh runnable` in the README and the tutorial runs
 * here, in order, in a scratch copy of the project (one for the README, one the tutorial's steps
 * share), against a monitoring stack started for the
 * purpose (CHURN_PUSHGATEWAY_URL and PROMETHEUS_URL point at it); every `promql` block of the
 * docs must be a query Prometheus accepts. `npx churn` runs the built CLI; `npm ci` is skipped,
 * since the tests run in an installed checkout.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stopLocalStack } from '../../scripts/stack/local.js';
import { instantQuery } from '../../scripts/stack/prometheus-api.js';
import { CHURN_BIN, copySampleProject, REPO_ROOT, tempDir } from '../helpers/cli.js';
import { MONITORING_STACK } from '../helpers/monitoring-binaries.js';
import { binary, requires } from '../helpers/prerequisites.js';
import { startTestStack } from '../helpers/stack.js';

const TUTORIAL = join(REPO_ROOT, 'docs', 'tutorial');
const DOCUMENTS = [
  'README.md',
  ...readdirSync(TUTORIAL)
    .filter((name) => /^\d\d-.*\.md$/.test(name))
    .sort()
    .map((name) => join('docs', 'tutorial', name)),
];
const PROMQL_DOCUMENTS = [...DOCUMENTS, join('docs', 'prometheus.md')];

function blocks(document: string, info: string): string[] {
  const text = readFileSync(join(REPO_ROOT, document), 'utf8');
  const fence = new RegExp(`^\`\`\`${info}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...text.matchAll(fence)].map((match) => match[1]);
}

const SHIMS: Record<string, string> = {
  npx: `#!/usr/bin/env bash
if [ "$1" = churn ]; then shift; exec "${process.execPath}" "${CHURN_BIN}" "$@"; fi
echo "doc tests run only npx churn, not: npx $*" >&2; exit 127
`,
  npm: `#!/usr/bin/env bash
if [ "$1" = ci ]; then echo "(npm ci skipped: the tests run in an installed checkout)"; exit 0; fi
echo "doc tests do not run: npm $*" >&2; exit 127
`,
};

function runBlock(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', script], { cwd, env });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

requires(
  [...MONITORING_STACK, binary('/usr/bin/curl', 'curl')],
  'the runnable blocks of the README and the tutorial, and the PromQL of the docs',
).describe('the documentation, run', () => {
  const scratch = tempDir();
  const stackDir = join(scratch.path, 'stack');
  let env: NodeJS.ProcessEnv;
  let prometheus: string;

  beforeAll(async () => {
    const { url } = await startTestStack(stackDir);
    prometheus = url('prometheus');
    const bin = join(scratch.path, 'bin');
    mkdirSync(bin);
    for (const [name, text] of Object.entries(SHIMS)) {
      writeFileSync(join(bin, name), text);
      chmodSync(join(bin, name), 0o755);
    }
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !key.startsWith('CHURN_') && key !== 'FORCE_COLOR',
      ),
    );
    env = {
      ...inherited,
      PATH: `${bin}:${process.env.PATH}`,
      NO_COLOR: '1',
      CHURN_PUSHGATEWAY_URL: url('pushgateway'),
      PROMETHEUS_URL: prometheus,
    };
  }, 60_000);

  afterAll(async () => {
    await stopLocalStack(stackDir);
    scratch.remove();
  });

  for (const document of DOCUMENTS) {
    it(`runs the runnable blocks of ${document}, in order`, async () => {
      const scripts = blocks(document, 'sh runnable');
      expect(scripts.length, document).toBeGreaterThan(0);
      // The tutorial's steps build on each other, as for a student following them in order.
      const project = join(
        scratch.path,
        document.startsWith('docs/tutorial') ? 'tutorial' : document,
      );
      if (!existsSync(project)) {
        mkdirSync(project);
        copySampleProject(project);
      }
      for (const script of scripts) {
        const result = await runBlock(script, project, env);
        expect(result.code, `${document}:\n${script}\n${result.output}`).toBe(0);
      }
    });
  }

  it('accepts every PromQL query of the docs', async () => {
    const queries = PROMQL_DOCUMENTS.flatMap((document) =>
      blocks(document, 'promql').map((query) => ({ document, query: query.trim() })),
    );
    expect(queries.length).toBeGreaterThanOrEqual(30);
    for (const { document, query } of queries) {
      await expect(instantQuery(prometheus, query), `${document}: ${query}`).resolves.toBeDefined();
    }
  });
});
