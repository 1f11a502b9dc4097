/**
 * Files and folders appear whole or not at all: content goes to a temporary name beside the
 * target, is flushed to disk, then renamed over it. A crash leaves at worst a temporary leftover,
 * which readers never pick up and the next write into the same folder removes.
 *
 * Every write of churn ends here, so this is also where a special file (a device, a pipe, a
 * socket, a folder) is refused as a target: a rename would replace it, and as root that replaces
 * /dev/null. Which user paths may be written at all is the output guard's (output-guard.ts).
 */
import { copyFile, link, lstat, open, rename, rm, readdir, mkdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from './errors.js';
import { removeOnInterrupt } from './interruption.js';
import { displayPath } from './paths.js';
import { isOurLeftover, temporaryPath } from './temporary-names.js';

export { temporaryPath } from './temporary-names.js';

export interface AtomicWriter {
  /** The temporary file being written, for reading back what was written before commit. */
  readonly path: string;
  /** Appends text (or bytes); resolves when the operating system has it. */
  write(content: string | Uint8Array): Promise<void>;
  /** Flushes, closes and renames into place. Returns the bytes written. */
  commit(): Promise<number>;
  /** Closes and removes the temporary file; the target is untouched. */
  abort(): Promise<void>;
}

export async function openAtomicWriter(target: string): Promise<AtomicWriter> {
  const tempPath = temporaryPath(target);
  let handle: FileHandle;
  try {
    await refuseSpecialTarget(target);
    await ensureDirectory(dirname(target));
    await removeLeftovers(dirname(target));
    handle = await open(tempPath, 'wx');
  } catch (error) {
    throw cannotWrite(error, target);
  }
  const forget = removeOnInterrupt(tempPath);
  let bytes = 0;
  let closed = false;

  return {
    path: tempPath,
    async write(content) {
      const written =
        typeof content === 'string' ? writeText(handle, content) : writeBytes(handle, content);
      bytes += await written.catch((error: unknown) => {
        throw cannotWrite(error, target);
      });
    },
    async commit() {
      try {
        await handle.sync();
        await handle.close();
        closed = true;
        await replaceFile(tempPath, target);
      } catch (error) {
        throw cannotWrite(error, target);
      }
      forget();
      return bytes;
    },
    async abort() {
      if (!closed) await handle.close().catch(() => undefined);
      closed = true;
      await rm(tempPath, { force: true });
      forget();
    },
  };
}

/**
 * A file system failure on the way to `target` (a folder that cannot exist, no permission, a full
 * disk), as the one-line error that names it; anything else as it is.
 */
export function cannotWrite(error: unknown, target: string): unknown {
  const failure = error as NodeJS.ErrnoException;
  // Errno codes (ENOENT, EACCES, ENOSPC…), not Node's own ERR_… codes, which are bugs.
  if (!/^E[A-Z]+$/.test(failure?.code ?? '')) return error;
  return new InputError({ file: displayPath(target) }, `cannot be written (${failure.message})`);
}

/** Writes all of `text` at the file's position; returns its bytes. */
export async function writeText(handle: FileHandle, text: string): Promise<number> {
  return writeBytes(handle, Buffer.from(text, 'utf8'));
}

/** Writes all of `bytes` at the file's position (one write may take only part); returns their count. */
export async function writeBytes(handle: FileHandle, bytes: Uint8Array): Promise<number> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset);
    offset += bytesWritten;
  }
  return bytes.length;
}

export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const writer = await openAtomicWriter(target);
  try {
    await writer.write(content);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/**
 * Moves a finished file (or folder) over the target in one step, and makes the rename durable.
 * A target that is a special file is refused, checked again here because a rename replaces
 * whatever stands at the target by then.
 */
export async function replaceFile(finished: string, target: string): Promise<void> {
  await refuseSpecialTarget(target);
  await rename(finished, target);
  await syncDirectory(dirname(target));
}

/**
 * Refuses a target that exists and is not a regular file (or a link to one): renaming over a
 * device, a pipe, a socket or a folder would replace it.
 */
export async function refuseSpecialTarget(target: string): Promise<void> {
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    // A dangling link or an unreadable parent: the write itself reports what is wrong.
    if (error.code === 'ELOOP' || error.code === 'EACCES' || error.code === 'ENOTDIR') return null;
    throw error;
  });
  if (info === null || info.isFile()) return;
  throw new InputError(
    { file: displayPath(target) },
    info.isDirectory()
      ? 'is a folder, not a file: give a file name'
      : 'is a special file (a device, pipe or socket), not a regular file: ' +
          'churn replaces the files it writes, so it never writes there',
  );
}

/**
 * A copy of a file under a name no other file has: `data/train.csv` →
 * `data/train.backup-20261127T000731.123Z-1a2b3c.csv`. The copy is flushed before it takes its
 * name, and it never replaces a file: two backups in the same millisecond get different names.
 */
export async function backUpFile(path: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  const extension = /\.[^./]+$/.exec(basename(path))?.[0] ?? '';
  const stem = basename(path, extension);
  const dir = dirname(path);
  const tempPath = temporaryPath(path, 'backup');
  const forget = removeOnInterrupt(tempPath);
  try {
    await removeLeftovers(dir);
    await copyFile(path, tempPath);
    await syncFile(tempPath);
    for (;;) {
      const suffix = randomBytes(3).toString('hex');
      const backup = join(dir, `${stem}.backup-${stamp}-${suffix}${extension}`);
      // link, unlike rename, never replaces what is there already.
      const taken = await link(tempPath, backup).then(
        () => false,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') return true;
          throw error;
        },
      );
      if (!taken) {
        await syncDirectory(dir);
        return backup;
      }
    }
  } finally {
    await rm(tempPath, { force: true });
    forget();
  }
}

/**
 * A file's text, or a function that writes it through the open file: for content too large to
 * hold in memory as one string and its encoded copy at once.
 */
export type FileContent = string | ((handle: FileHandle) => Promise<void>);

/**
 * A new folder holding the given files, created whole: written and flushed under a temporary
 * name, then renamed. Fails if the target exists; it is never replaced.
 */
export async function writeDirectoryAtomic(
  target: string,
  files: Record<string, FileContent>,
): Promise<void> {
  const parent = dirname(target);
  await ensureDirectory(parent);
  await removeLeftovers(parent);
  if (
    await lstat(target).then(
      () => true,
      () => false,
    )
  ) {
    throw new Error(`${target} exists already`);
  }
  const tempPath = temporaryPath(target);
  const forget = removeOnInterrupt(tempPath);
  await mkdir(tempPath);
  try {
    for (const [name, content] of Object.entries(files)) {
      const handle = await open(join(tempPath, name), 'wx');
      try {
        if (typeof content === 'string') await handle.writeFile(content, 'utf8');
        else await content(handle);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await syncDirectory(tempPath);
    // rename would replace an empty folder created at the target meanwhile: check once more.
    if (
      await lstat(target).then(
        () => true,
        () => false,
      )
    ) {
      throw new Error(`${target} exists already`);
    }
    await rename(tempPath, target);
    await syncDirectory(parent);
  } catch (error) {
    await rm(tempPath, { recursive: true, force: true });
    throw error;
  } finally {
    forget();
  }
}

/**
 * Removes a folder in one step as readers see it: renamed to a temporary name first (readers
 * never look at those), then deleted. Killed midway, what is left is a leftover the next run
 * removes, never a half-deleted folder under its real name.
 */
export async function removeDirectoryAtomic(target: string): Promise<void> {
  const doomed = temporaryPath(target, 'removing');
  const forget = removeOnInterrupt(doomed);
  try {
    await rename(target, doomed);
    await syncDirectory(dirname(target));
    await rm(doomed, { recursive: true, force: true });
  } finally {
    forget();
  }
}

/**
 * Removes, in a folder, the temporary files and folders of churn processes that died before
 * renaming them: only names churn made (their check digits match), of this host, whose process is
 * gone. Files of live runs, of other hosts sharing the folder, and anything merely looking like
 * ours stay.
 */
export async function removeLeftovers(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (isOurLeftover(name)) {
      await rm(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/**
 * mkdir -p, one level at a time. Node's own recursive mkdir never returns for a path under /proc
 * (every level answers ENOENT and it retries forever); this gives up after one attempt per level.
 */
export async function ensureDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await ensureDirectory(parent);
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}
