/**
 * Names of the temporary files and folders churn writes beside their targets:
 *
 *   .predictions.csv.4242-1a2b3c4d-9f8e7d6c-5b4a3928.tmp
 *    target         pid  host     random   check
 *
 * The pid and host say whose it is; the random part keeps two writers of one target apart; the
 * check digits (a hash of all the rest) prove that churn made the name, so a later run removes
 * only leftovers that are provably ours, of this host, and of a process that is gone, never a
 * user's file that merely looks like one, nor a file of a run on another host sharing the folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isAlive } from './processes.js';

const SUFFIX = '.tmp';
const NAME = /^\.(.+)\.(\d+)-([0-9a-f]{8})-([0-9a-f]{8})-([0-9a-f]{8})\.tmp$/;

/** This host, as the names carry it. */
export const HOST_TAG = digest(`host:${hostname()}`);

/**
 * A temporary path beside `target`, for this process (or the one given); `label` says what it is
 * for when the target has several (`backup`, `removing`).
 */
export function temporaryPath(target: string, label?: string, pid = process.pid): string {
  const stem = label ? `${basename(target)}.${label}` : basename(target);
  const owner = `${pid}-${HOST_TAG}-${randomBytes(4).toString('hex')}`;
  return join(dirname(target), `.${stem}.${owner}-${check(stem, owner)}${SUFFIX}`);
}

export interface TemporaryOwner {
  pid: number;
  /** Whether it was made on this host (only then can the pid be checked). */
  thisHost: boolean;
}

/** Who made a temporary name, or null when churn did not make it. */
export function temporaryOwner(name: string): TemporaryOwner | null {
  const match = NAME.exec(name);
  if (!match) return null;
  const [, stem, pid, host, random, digits] = match;
  if (check(stem, `${pid}-${host}-${random}`) !== digits) return null;
  return { pid: Number(pid), thisHost: host === HOST_TAG };
}

/** A temporary name of a churn process of this host that no longer runs. */
export function isOurLeftover(name: string): boolean {
  const owner = temporaryOwner(name);
  return owner !== null && owner.thisHost && owner.pid !== process.pid && !isAlive(owner.pid);
}

function check(stem: string, owner: string): string {
  return digest(`churn-temporary:${stem}:${owner}`);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
