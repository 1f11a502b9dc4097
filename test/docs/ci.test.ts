/** .ci/run is the project's CI: it must run what the README says and install what tests need. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const CI_SCRIPT = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');

/** The tests' sources, but for the helper's own test (whose packages are made up). */
function testSources(dir = join(REPO_ROOT, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? testSources(join(dir, entry.name))
      : entry.name.endsWith('.ts') && entry.name !== 'prerequisites.test.ts'
        ? [readFileSync(join(dir, entry.name), 'utf8')]
        : [],
  );
}

describe('.ci/run', () => {
  it("runs the README's test command, with the reporters it reads the totals from", () => {
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toMatch(/^npm test\b/m);
    expect(CI_SCRIPT).toMatch(/^npm test -- --reporter=default --reporter=json /m);
    expect(CI_SCRIPT).not.toMatch(/npx vitest/);
  });

  it('installs every Debian package a test names as a prerequisite', () => {
    const installed = /debian_packages=\(([^)]*)\)/.exec(CI_SCRIPT)![1].split(/\s+/);
    const named = new Set(
      testSources().flatMap((text) =>
        [...text.matchAll(/binary\(\s*[^,()]+,\s*'([^']+)'\s*\)/g)].map((match) => match[1]),
      ),
    );
    expect(named.size).toBeGreaterThanOrEqual(5);
    for (const name of named) expect(installed, name).toContain(name);
  });
});
