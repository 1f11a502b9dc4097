/** `npm run bench -- NAME`: a mistyped name fails at once instead of running nothing and passing. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const bench = (...args: string[]) =>
  spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bench', 'run.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

it('refuses a benchmark name it does not know, naming the ones it does', () => {
  const typo = bench('startp');
  expect(typo.status).toBe(2);
  expect(typo.stdout).toBe('');
  expect(typo.stderr.trim()).toMatch(/^error: no benchmark named "startp": course, .*startup/);
  expect(typo.stderr).toContain('pipeline');
});

it('lists the benchmarks with --help', () => {
  const help = bench('--help');
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^npm run bench \[-- NAME …\]: .*quality.*startup/);
});
