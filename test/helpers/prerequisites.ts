/**
 * What a test needs from the machine, and what happens when it is not there. Every conditional
 * test goes through here, so one rule holds everywhere:
 *
 * - present: the test runs;
 * - a missing binary or browser under CI (CI=true): the test fails, naming what is missing and
 *   how to install it, so a CI that lost a package cannot pass by skipping;
 * - missing on a developer's machine, or missing data CI never has (the shared data beside the
 *   checkout): the test is skipped, with a warning saying exactly what was not checked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

export interface Prerequisite {
  /** What is needed, as the message names it: a path, or a module of a binary. */
  name: string;
  present: boolean;
  /** How to get it, e.g. "Debian: apt-get install prometheus". */
  remedy: string;
  /** Whether CI must have it. The shared data is absent from every fresh clone, CI's included. */
  requiredInCi: boolean;
}

/** An executable the tests run, from the Debian package that .ci/run installs. */
export function binary(path: string, debianPackage: string): Prerequisite {
  return {
    name: path,
    present: existsSync(path),
    remedy: `Debian: apt-get install ${debianPackage}`,
    requiredInCi: true,
  };
}

/** A Python interpreter that imports every module named (a reference implementation to compare). */
export function pythonWith(modules: string[], debianPackages: string[]): Prerequisite {
  const python = '/usr/bin/python3';
  const imports =
    existsSync(python) &&
    spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0;
  return {
    name: `${python} with ${modules.join(', ')}`,
    present: imports,
    remedy: `Debian: apt-get install ${debianPackages.join(' ')}`,
    requiredInCi: true,
  };
}

/** Data that lives beside the checkout, never in it. */
export function sharedData(path: string): Prerequisite {
  return {
    name: path,
    present: existsSync(path),
    remedy: 'it exists only beside a development checkout (../shared/data), never in a clone',
    requiredInCi: false,
  };
}

/** Root, for what only root may do (mknod). CI runs as root, so there it must be. */
export function superuser(why: string): Prerequisite {
  return {
    name: `root (${why})`,
    present: process.getuid?.() === 0,
    remedy: 'run the tests as root, as .ci/run does',
    requiredInCi: true,
  };
}

/** A property of the operating system a test relies on, e.g. Linux's /proc. */
export function platform(name: string, present: boolean, remedy: string): Prerequisite {
  return { name, present, remedy, requiredInCi: false };
}

export type Decision =
  { action: 'run' } | { action: 'skip'; message: string } | { action: 'fail'; message: string };

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['true', '1'].includes((env.CI ?? '').toLowerCase());
}

/** Whether a test that checks `unchecked` with these prerequisites runs, skips or fails. */
export function decide(
  prerequisites: Prerequisite[],
  unchecked: string,
  ci: boolean = isCi(),
): Decision {
  const missing = prerequisites.filter((prerequisite) => !prerequisite.present);
  if (missing.length === 0) return { action: 'run' };
  const what = missing.map((prerequisite) => `${prerequisite.name} (${prerequisite.remedy})`);
  const reason = `missing ${what.join('; ')}`;
  if (ci && missing.some((prerequisite) => prerequisite.requiredInCi)) {
    return { action: 'fail', message: `CI=true, so this cannot be skipped: ${reason}` };
  }
  return { action: 'skip', message: `not checked: ${unchecked}; ${reason}` };
}

type Body = () => void;
type TestBody = () => unknown;

export interface Gate {
  describe(name: string, body: Body): void;
  it(name: string, body: TestBody, timeout?: number): void;
}

/**
 * `describe` and `it` that run only with every prerequisite present. `unchecked` says, for the
 * skip message, what goes unverified without them.
 */
export function requires(prerequisites: Prerequisite[], unchecked: string): Gate {
  const decision = decide(prerequisites, unchecked);
  if (decision.action === 'skip') console.warn(`skipping: ${decision.message}`);
  const failing = (message: string) => () => {
    throw new Error(message);
  };
  return {
    describe(name, body) {
      if (decision.action === 'run') describe(name, body);
      else if (decision.action === 'skip') describe.skip(`${name} (${decision.message})`, body);
      else describe(name, () => it('has what it needs', failing(decision.message)));
    },
    it(name, body, timeout) {
      if (decision.action === 'run') it(name, body, timeout);
      else if (decision.action === 'skip') it.skip(`${name} (${decision.message})`, body);
      else it(name, failing(decision.message));
    },
  };
}
