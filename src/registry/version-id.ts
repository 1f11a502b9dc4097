/**
 * Model versions are named by their creation time in UTC, to the millisecond, plus four random
 * hex digits: `20261126-223108-123-a1b2`. Names sort in creation order and never collide.
 *
 * A version name is also a folder name inside the registry, so every name churn accepts (from a
 * command line, a champion pointer, a folder listing) is checked against the pattern first: a
 * name such as `../other/VERSION` never reaches the file system.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../common/errors.js';

export const VERSION_PATTERN = /^\d{8}-\d{6}-\d{3}-[0-9a-f]{4}$/;

export function newVersionId(now: Date): string {
  const iso = now.toISOString(); // 2026-11-26T22:31:08.123Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `${date}-${time}-${iso.slice(20, 23)}-${randomBytes(2).toString('hex')}`;
}

export function isVersionId(name: string): boolean {
  return VERSION_PATTERN.test(name);
}

/** The name itself, or a usage error saying what a version name looks like. */
export function checkVersionId(name: string): string {
  if (isVersionId(name)) return name;
  throw new UsageError(
    `"${name}" is not a model version: versions look like 20261126-223108-123-a1b2 ` +
      '(see churn models list)',
  );
}
