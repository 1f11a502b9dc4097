import { isAbsolute, relative } from 'node:path';

/** A path as a person would type it: relative to the working directory when it lies inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const inside = relative(cwd, path);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}
