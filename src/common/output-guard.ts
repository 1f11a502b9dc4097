/**
 * The one check every output path a user gives (`--out`) passes before a job starts: so a run
 * that cannot write its output stops with exit code 2 before it has changed anything.
 *
 * Refused: a path naming a folder (`dir/new/`, an existing folder), a folder that does not
 * exist (churn creates only its own folders), a special file (a device such as /dev/null or
 * /dev/full, /dev/stdout, a pipe, a socket: renaming over one replaces it, and as root that
 * replaces /dev/null), one of the run's inputs, and the files churn keeps itself (the model
 * registry, the metrics state). Standard output is asked for with `-`, never with a path.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { InputError, UsageError } from './errors.js';
import { displayPath } from './paths.js';

/** The output path meaning standard output. */
export const STDOUT = '-';

export interface OutputRules {
  /** How the path was given, for messages: `--out`. */
  flag: string;
  /** Files the run reads: the output must be none of them. */
  inputs?: Array<string | null | undefined>;
  /** Folders churn manages itself, with what they are: nothing in them is an output. */
  managed?: Array<{ path: string; what: string }>;
  /**
   * The path is churn's default (under outputsDir), whose folder churn creates: a missing folder
   * is not refused. A path the user gives must be in a folder that exists.
   */
  isDefault?: boolean;
}

/**
 * Checks an output path (as given, relative to `cwd`) and returns it resolved, or `-` for
 * standard output. Nothing is created.
 */
export async function checkOutputPath(
  given: string,
  cwd: string,
  rules: OutputRules,
): Promise<string> {
  if (given === STDOUT) return STDOUT;
  const { flag } = rules;
  const target = resolve(cwd, given);
  const file = displayPath(target, cwd);
  if (given.endsWith('/') || given.endsWith(sep) || ['.', '..'].includes(basename(given))) {
    throw new UsageError(`${flag} ${given} names a folder: give a file name`);
  }
  const parent = dirname(target);
  const folder = await stat(parent).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && rules.isDefault) return null;
    if (error.code === 'ENOENT') {
      throw new InputError(
        { file },
        `cannot be written (ENOENT: no such folder ${displayPath(parent, cwd)}; create it first)`,
      );
    }
    if (error.code === 'ENOTDIR') {
      throw new InputError({ file }, `cannot be written (ENOTDIR: a part of the path is a file)`);
    }
    throw new InputError({ file }, `cannot be written (${error.code})`);
  });
  if (folder === null) return target; // churn's own folder, created when the output is written
  if (!folder.isDirectory()) {
    throw new InputError(
      { file },
      `cannot be written (ENOTDIR: ${displayPath(parent, cwd)} is not a folder)`,
    );
  }
  const existing = await lstat(target).catch(() => null);
  const followed = existing?.isSymbolicLink() ? await stat(target).catch(() => null) : existing;
  if (followed?.isDirectory()) {
    throw new UsageError(`${flag} ${given} is a folder: give a file name`);
  }
  if (followed && !followed.isFile()) {
    throw new UsageError(
      `${flag} ${given} is a special file (a device, pipe or socket), not a regular file: ` +
        `churn replaces the files it writes, so it never writes there` +
        (given.startsWith('/dev/') ? ` (use ${flag} - for standard output)` : ''),
    );
  }
  // Where the file really is, links resolved: the link itself and where it points both count.
  const places = [join(await realpath(parent), basename(target))];
  if (existing?.isSymbolicLink()) places.push(await realpath(target).catch(() => target));

  for (const input of rules.inputs ?? []) {
    if (!input) continue;
    const inputPath = resolve(cwd, input);
    const real = await realpath(inputPath).catch(() => inputPath);
    const inputInfo = await stat(real).catch(() => null);
    const sameFile =
      places.includes(real) ||
      (followed !== null &&
        inputInfo !== null &&
        inputInfo.ino === followed.ino &&
        inputInfo.dev === followed.dev);
    if (sameFile) {
      throw new UsageError(
        `${flag} ${given} is the input file ${displayPath(inputPath, cwd)}: choose another output file`,
      );
    }
  }
  for (const { path, what } of rules.managed ?? []) {
    const dir = await realpath(resolve(cwd, path)).catch(() => resolve(cwd, path));
    if (places.some((place) => inside(place, dir))) {
      throw new UsageError(
        `${flag} ${given} is inside ${what} ${displayPath(resolve(cwd, path), cwd)}, ` +
          'whose files churn writes itself: choose a file outside it',
      );
    }
  }
  return target;
}

function inside(path: string, dir: string): boolean {
  const rest = relative(dir, path);
  return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
}
