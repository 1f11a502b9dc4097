/**
 * Model versions are named by their creation time in UTC, to the millisecond, plus four random
 * hex digits: `20261126-223108-123-a1b2`. Names sort in creation order and never collide.
 */
import { randomBytes } from 'node:crypto';

const VERSION_PATTERN = /^\d{8}-\d{6}-\d{3}-[0-9a-f]{4}$/;

export function newVersionId(now: Date): string {
  const iso = now.toISOString(); // 2026-11-26T22:31:08.123Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `${date}-${time}-${iso.slice(20, 23)}-${randomBytes(2).toString('hex')}`;
}

export function isVersionId(name: string): boolean {
  return VERSION_PATTERN.test(name);
}
