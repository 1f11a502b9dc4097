/**
 * Start-up: a command loads what it needs when it runs. `--version` and every `--help` declare the
 * commands and print, so they must load none of the libraries and layers behind the commands;
 * npm run bench -- startup times them (here only what is loaded is checked, never how fast).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHURN_BIN, REPO_ROOT, tempDir } from '../helpers/cli.js';

const scratch = tempDir();
afterAll(() => scratch.remove());

/** Prints every module the process loads, as a path inside the repository. */
const HOOKS = join(scratch.path, 'hooks.mjs');
writeFileSync(
  HOOKS,
  `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('file:')) process.stderr.write('LOADED ' + result.url + '\\n');
  return result;
}
`,
);
const REGISTER = join(scratch.path, 'register.mjs');
writeFileSync(
  REGISTER,
  `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${HOOKS}`)});\n`,
);

function loaded(args: string[]): string[] {
  const child = spawnSync(process.execPath, ['--import', REGISTER, CHURN_BIN, ...args], {
    cwd: scratch.path,
    encoding: 'utf8',
  });
  expect(child.status, child.stderr).toBe(args.includes('missing.csv') ? 2 : 0);
  return [...child.stderr.matchAll(/^LOADED (\S+)$/gm)].map(([, url]) =>
    relative(REPO_ROOT, fileURLToPath(url)),
  );
}

/** What only running a command needs: its libraries, its jobs and the layers below them. */
const HEAVY = [
  /node_modules\/(zod|winston|winston-daily-rotate-file|prom-client|csv-parse|chalk)\//,
  /^dist\/(jobs|data|forest|registry|monitoring|logging|report|serve)\/(?!scoring\/risk\.js)/,
  /^dist\/config\/load\.js$/,
  /^dist\/cli\/(context|monitored|output-path)\.js$/,
];

describe('start-up', () => {
  it.each([
    [['--version']],
    [['--help']],
    [['train', '--help']],
    [['predict', '--help']],
    [['retrain', '--help']],
    [['evaluate', '--help']],
    [['models', 'list', '--help']],
    [['export-metrics', '--help']],
    [['serve', '--help']],
  ])('%j loads only the declarations of the commands', (args) => {
    const modules = loaded(args);
    expect(modules).toContain('dist/cli/program.js');
    expect(modules.filter((path) => HEAVY.some((heavy) => heavy.test(path)))).toEqual([]);
  });

  it('a command that runs loads what it needs then', () => {
    const modules = loaded(['predict', '--data', 'missing.csv']);
    for (const needed of ['dist/jobs/predict.js', 'dist/config/load.js', 'dist/cli/context.js']) {
      expect(modules).toContain(needed);
    }
    expect(modules.some((path) => path.startsWith('node_modules/winston/'))).toBe(true);
  });

  it('scoring a CSV file loads no Parquet library, which only a Parquet file needs', () => {
    const modules = loaded(['predict', '--data', 'missing.csv']);
    expect(modules.filter((path) => /node_modules\/(hyparquet|fzstd)/.test(path))).toEqual([]);
    expect(modules).not.toContain('dist/data/parquet-reader.js');
  });
});
