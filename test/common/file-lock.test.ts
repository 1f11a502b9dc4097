import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LockedError, withLock } from '../../src/common/file-lock.js';
import { InputError } from '../../src/common/errors.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const options = { holder: 'another test', operation: 'testing', waitMs: 0 };
const deadPid = () =>
  Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);

describe('file locks', () => {
  it('let one holder in at a time, and the next one in once it is released', async () => {
    const path = join(dir.path, '.lock');
    const lock = await acquireLock(path, options);
    await expect(acquireLock(path, options)).rejects.toThrow(LockedError);
    await expect(acquireLock(path, options)).rejects.toThrow(
      /another test holds the lock .*: pid \d+ on .*, testing, started /,
    );
    await lock.release();
    expect(existsSync(path)).toBe(false);
    await withLock(path, options, async () => expect(existsSync(path)).toBe(true));
  });

  it('wait for a live holder up to their deadline', async () => {
    const path = join(dir.path, '.lock');
    const lock = await acquireLock(path, options);
    setTimeout(() => void lock.release(), 300);
    const started = Date.now();
    await (await acquireLock(path, { ...options, waitMs: 5000 })).release();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("take over a dead owner's lock, and of many racing for it exactly one gets it", async () => {
    const path = join(dir.path, '.lock');
    const stale = JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: 'then' });
    for (let trial = 0; trial < 5; trial++) {
      writeFileSync(path, stale);
      // Eight processes find the same stale lock at once; each holds what it gets for a moment.
      const script = `
        const { acquireLock } = await import(${JSON.stringify(new URL('../../dist/common/file-lock.js', import.meta.url).href)});
        try {
          const lock = await acquireLock(${JSON.stringify(path)}, { holder: 'x', operation: 'y', waitMs: 0 });
          await new Promise((resolve) => setTimeout(resolve, 1500));
          await lock.release();
          process.stdout.write('got');
        } catch (error) {
          process.stdout.write(error.constructor.name);
        }`;
      const outcomes = await Promise.all(
        Array.from(
          { length: 8 },
          () =>
            new Promise<string>((resolve) => {
              const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
              let out = '';
              child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
              child.on('close', () => resolve(out));
            }),
        ),
      );
      expect(
        outcomes.filter((outcome) => outcome === 'got'),
        outcomes.join(' '),
      ).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'LockedError')).toHaveLength(7);
    }
  }, 60_000);

  it('refuse a folder where the lock should be, as an input error', async () => {
    const path = join(dir.path, '.lock');
    mkdirSync(path);
    const error = await acquireLock(path, options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/is a folder where churn keeps a lock file/);
  });

  it('release only their own lock, never one another run took over', async () => {
    const path = join(dir.path, '.lock');
    const lock = await acquireLock(path, options);
    const other = JSON.stringify({ pid: process.pid, host: hostname(), token: 'theirs' });
    writeFileSync(path, other);
    await lock.release();
    expect(readFileSync(path, 'utf8')).toBe(other);
  });
});
