/**
 * One retraining at a time per model registry: a lock file created exclusively (O_EXCL) holding
 * its owner's pid, host and start time. A second run refuses at once, naming the owner; a lock
 * whose process is gone (on this host) is taken over.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ChurnError } from '../common/errors.js';
import { removeOnInterrupt } from '../common/interruption.js';
import { isAlive } from '../common/processes.js';
import { ensureDirectory } from '../common/atomic-file.js';

export const LOCK_FILE = '.retrain.lock';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

/** Another run holds the lock: exit code 4, so cron wrappers can tell it from a failure. */
export class LockedError extends ChurnError {
  override readonly exitCode = 4;
}

export interface Lock {
  release(): Promise<void>;
}

export async function acquireLock(dir: string): Promise<Lock> {
  await ensureDirectory(dir);
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      const forget = removeOnInterrupt(path);
      return {
        release: async () => {
          await rm(path, { force: true });
          forget();
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(path);
      if (owner === null && (await youngerThan(path, STARTING_MS))) {
        throw new LockedError(`another retrain is taking the lock ${path} right now`);
      }
      if (owner && (owner.host !== me.host || isAlive(owner.pid))) {
        throw new LockedError(
          `another retrain holds the lock ${path}: pid ${owner.pid} on ${owner.host}, ` +
            `started ${owner.startedAt}`,
        );
      }
      // Its owner is gone (or the file is unreadable garbage): take it over.
      await rm(path, { force: true });
    }
  }
  throw new LockedError(`another retrain took the lock ${path} at the same moment`);
}

/** How long a lock file may stay empty while its owner writes its details into it. */
const STARTING_MS = 10_000;

async function youngerThan(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs < ms;
}

async function readOwner(path: string): Promise<LockOwner | null> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}
