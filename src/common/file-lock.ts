/**
 * A lock held by one process at a time: a file created exclusively (O_EXCL) holding its owner's
 * pid, host, a random token and what it is doing. Others wait for it (up to a deadline) or refuse
 * at once; a lock whose process is gone (on this host) is taken over.
 *
 * Taking over is the delicate part: two runs that both find a dead owner's lock must not both
 * remove it, or the second would remove the lock the first has just taken. So taking over happens
 * under a second lock (`NAME.break`, held for milliseconds), and only if the lock still holds the
 * very content that was judged stale.
 */
import { lstat, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import * as z from 'zod';
import { ChurnError, InputError } from './errors.js';
import { ensureDirectory } from './atomic-file.js';
import { removeOnInterrupt } from './interruption.js';
import { displayPath } from './paths.js';
import { isAlive } from './processes.js';

/** Another run holds the lock: exit code 4, so cron wrappers can tell it from a failure. */
export class LockedError extends ChurnError {
  override readonly exitCode = 4;
}

export interface LockOptions {
  /** Who holds it, as messages say: `another retrain`, `another churn process`. */
  holder: string;
  /** What this process does while holding it, recorded for whoever finds it held. */
  operation: string;
  /** How long to wait for a live owner; 0 refuses at once. */
  waitMs: number;
}

export interface Lock {
  release(): Promise<void>;
}

/** Only pid and host decide whether the owner lives: older churns wrote no token or operation. */
const OWNER = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  token: z.string().optional(),
  operation: z.string().default('an unknown operation'),
  startedAt: z.string().default('at an unknown time'),
});
type LockOwner = z.infer<typeof OWNER>;

/** How long a lock file may stay empty while its owner writes its details into it. */
const STARTING_MS = 10_000;
/** A break lock is held for milliseconds: one this old belongs to a run that died holding it. */
const STALE_BREAK_MS = 10_000;

export async function acquireLock(path: string, options: LockOptions): Promise<Lock> {
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    operation: options.operation,
    startedAt: new Date().toISOString(),
  };
  const deadline = Date.now() + options.waitMs;
  try {
    await ensureDirectory(dirname(path));
  } catch (error) {
    throw cannotLock(error, path);
  }
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(path, JSON.stringify(me))) {
      const forget = removeOnInterrupt(path);
      return {
        release: async () => {
          forget();
          // Only our own lock: never one another run took over meanwhile.
          if ((await readOwner(path))?.owner?.token === me.token) await rm(path, { force: true });
        },
      };
    }
    const found = await readOwner(path);
    if (found === null) continue; // released meanwhile
    const stale =
      found.owner === null
        ? !(await youngerThan(path, STARTING_MS))
        : found.owner.host === me.host && !isAlive(found.owner.pid);
    if (stale) {
      await breakStale(path, found.text);
      continue;
    }
    if (Date.now() >= deadline) throw lockedBy(path, found.owner, options);
    await sleep(Math.min(250, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
  }
}

/** Runs `body` holding the lock. */
export async function withLock<T>(
  path: string,
  options: LockOptions,
  body: () => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(path, options);
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const info = await lstat(path).catch(() => null);
      if (info?.isDirectory()) {
        throw new InputError(
          { file: displayPath(path) },
          'is a folder where churn keeps a lock file: remove it',
        );
      }
      return false;
    }
    throw cannotLock(error, path);
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

/** Removes a stale lock, unless another run has replaced it since it was read. */
async function breakStale(path: string, staleText: string): Promise<void> {
  const guard = `${path}.break`;
  if (!(await tryCreate(guard, String(process.pid)))) {
    if (!(await youngerThan(guard, STALE_BREAK_MS))) await rm(guard, { force: true });
    await sleep(20);
    return;
  }
  const forget = removeOnInterrupt(guard);
  try {
    const now = await readFile(path, 'utf8').catch(() => null);
    if (now === staleText) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
    forget();
  }
}

/** The lock's text and its owner (null when it is not a valid owner record); null when absent. */
async function readOwner(path: string): Promise<{ text: string; owner: LockOwner | null } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw cannotLock(error, path);
  }
  let owner: LockOwner | null = null;
  try {
    owner = OWNER.parse(JSON.parse(text));
  } catch {
    owner = null;
  }
  return { text, owner };
}

function lockedBy(path: string, owner: LockOwner | null, options: LockOptions): LockedError {
  const waited = options.waitMs > 0 ? ` for ${Math.round(options.waitMs / 1000)} s` : '';
  if (owner === null) {
    return new LockedError(`${options.holder} is taking the lock ${displayPath(path)} right now`);
  }
  return new LockedError(
    `${options.holder} holds the lock ${displayPath(path)}${waited ? ` (waited${waited})` : ''}: ` +
      `pid ${owner.pid} on ${owner.host}, ${owner.operation}, started ${owner.startedAt}`,
  );
}

function cannotLock(error: unknown, path: string): unknown {
  const failure = error as NodeJS.ErrnoException;
  if (!/^E[A-Z]+$/.test(failure?.code ?? '')) return error;
  return new InputError(
    { file: displayPath(path) },
    `cannot be locked (${failure.message}): nothing was changed`,
  );
}

async function youngerThan(path: string, ms: number): Promise<boolean> {
  const info = await lstat(path).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs < ms;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
