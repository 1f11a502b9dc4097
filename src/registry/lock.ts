/**
 * The registry's two locks, both files in its folder (src/common/file-lock.ts):
 *   - `.registry.lock`, held for every change of the registry (saving a version, promoting,
 *     pruning, retrain's save and promotion): short, so others wait for it;
 *   - `.retrain.lock`, held for a whole retraining: one at a time, a second refuses at once.
 */
import { join } from 'node:path';
import { acquireLock, type Lock } from '../common/file-lock.js';

export { LockedError, type Lock } from '../common/file-lock.js';

export const LOCK_FILE = '.retrain.lock';
export const REGISTRY_LOCK_FILE = '.registry.lock';
/** Longer than any change takes (saving a 200 MB model, pruning hundreds of versions). */
export const REGISTRY_LOCK_WAIT_MS = 60_000;

/** One retraining at a time per registry. */
export function acquireRetrainLock(dir: string): Promise<Lock> {
  return acquireLock(join(dir, LOCK_FILE), {
    holder: 'another retrain',
    operation: 'retrain',
    waitMs: 0,
  });
}

/** The lock every change of the registry holds. */
export function acquireRegistryLock(
  dir: string,
  operation: string,
  waitMs = REGISTRY_LOCK_WAIT_MS,
): Promise<Lock> {
  return acquireLock(join(dir, REGISTRY_LOCK_FILE), {
    holder: 'another churn process changing the registry',
    operation,
    waitMs,
  });
}
