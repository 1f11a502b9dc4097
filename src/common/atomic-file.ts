/**
 * Files and folders appear whole or not at all: content goes to a temporary name beside the
 * target, is flushed to disk, then renamed over it. A crash leaves at worst a `.tmp` leftover,
 * which readers never pick up and the next write of the same target removes.
 */
import {
  copyFile,
  open,
  rename,
  rm,
  readdir,
  mkdir,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from './errors.js';
import { removeOnInterrupt } from './interruption.js';
import { displayPath } from './paths.js';
import { isAlive } from './processes.js';

export interface AtomicWriter {
  /** Appends text; resolves when the operating system has it. */
  write(text: string): Promise<void>;
  /** Flushes, closes and renames into place. Returns the bytes written. */
  commit(): Promise<number>;
  /** Closes and removes the temporary file; the target is untouched. */
  abort(): Promise<void>;
}

const TEMP_SUFFIX = '.tmp';
/** `.name.PID-8hex.tmp`, as tempPathFor makes them. */
const LEFTOVER = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/;

function tempPrefix(target: string): string {
  return `.${basename(target)}.`;
}

/** `.name.PID-random.tmp` beside the target: the pid tells a later run whether it is orphaned. */
function tempPathFor(target: string): string {
  const unique = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return join(dirname(target), `${tempPrefix(target)}${unique}${TEMP_SUFFIX}`);
}

export async function openAtomicWriter(target: string): Promise<AtomicWriter> {
  const tempPath = tempPathFor(target);
  let handle: FileHandle;
  try {
    await ensureDirectory(dirname(target));
    await removeLeftovers(target);
    handle = await open(tempPath, 'wx');
  } catch (error) {
    throw cannotWrite(error, target);
  }
  const forget = removeOnInterrupt(tempPath);
  let bytes = 0;
  let closed = false;

  return {
    async write(text) {
      bytes += await writeText(handle, text).catch((error: unknown) => {
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
function cannotWrite(error: unknown, target: string): unknown {
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
export async function writeBytes(handle: FileHandle, bytes: Buffer): Promise<number> {
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

/** Moves a finished file (or folder) over the target in one step, and makes the rename durable. */
export async function replaceFile(finished: string, target: string): Promise<void> {
  await rename(finished, target);
  await syncDirectory(dirname(target));
}

/** A copy of a file's bytes under a new name, appearing whole or not at all. */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await removeLeftovers(to);
  const tempPath = tempPathFor(to);
  const forget = removeOnInterrupt(tempPath);
  try {
    await copyFile(from, tempPath);
    const handle = await open(tempPath, 'r+');
    await handle.sync();
    await handle.close();
    await replaceFile(tempPath, to);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  } finally {
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
  await removeLeftovers(target);
  if (
    await stat(target).then(
      () => true,
      () => false,
    )
  ) {
    throw new Error(`${target} exists already`);
  }
  const tempPath = tempPathFor(target);
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
    await replaceFile(tempPath, target);
  } catch (error) {
    await rm(tempPath, { recursive: true, force: true });
    throw error;
  } finally {
    forget();
  }
}

/**
 * Temporary files or folders that earlier runs left in the target's folder when they died before
 * renaming (their process is gone). Any target's: a model version is never written twice.
 */
async function removeLeftovers(target: string): Promise<void> {
  const dir = dirname(target);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = LEFTOVER.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isAlive(Number(pid))) {
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }
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

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}
