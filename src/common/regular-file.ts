/**
 * Reading a file churn stores or is given (a model, a registry document) with bounds: only a
 * regular file, and no more bytes than it had when opened, up to a limit. A device such as
 * /dev/zero would otherwise be read until memory runs out, and a named pipe would block the open
 * until some writer appears. The file is opened without blocking and checked through its
 * descriptor, so it cannot be swapped for a pipe between the check and the read.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from './errors.js';
import { displayPath } from './paths.js';

export interface OpenedRegularFile {
  handle: FileHandle;
  size: number;
}

/** Opens a regular file for reading; the caller closes the handle. */
export async function openRegularFile(
  path: string,
  what: { maxBytes: number; kind: string },
): Promise<OpenedRegularFile> {
  const opened = await openIfExists(path, what);
  if (opened === null) throw new InputError({ file: displayPath(path) }, `no such ${what.kind}`);
  return opened;
}

async function openIfExists(
  path: string,
  what: { maxBytes: number; kind: string },
): Promise<OpenedRegularFile | null> {
  const file = displayPath(path);
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new InputError(
      { file },
      code === 'ENOTDIR'
        ? `cannot be read (ENOTDIR: a part of the path is a file)`
        : `cannot be read (${code})`,
    );
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new InputError({ file }, `is a folder, not a ${what.kind}`);
    if (!info.isFile()) {
      throw new InputError(
        { file },
        `is not a regular file (a device, pipe or socket): not a ${what.kind}`,
      );
    }
    if (info.size > what.maxBytes) {
      throw new InputError(
        { file },
        `is ${info.size} bytes, more than a ${what.kind} can be (${what.maxBytes})`,
      );
    }
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** A regular file's bytes, at most `maxBytes` of them. */
export async function readRegularFile(
  path: string,
  what: { maxBytes: number; kind: string },
): Promise<Buffer> {
  const bytes = await readRegularFileIfExists(path, what);
  if (bytes === null) throw new InputError({ file: displayPath(path) }, `no such ${what.kind}`);
  return bytes;
}

/** As readRegularFile, or null when there is no such file. */
export async function readRegularFileIfExists(
  path: string,
  what: { maxBytes: number; kind: string },
): Promise<Buffer | null> {
  const opened = await openIfExists(path, what);
  if (opened === null) return null;
  const { handle, size } = opened;
  try {
    const bytes = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break; // shrank meanwhile: what was read is checked by the caller
      offset += bytesRead;
    }
    return offset === size ? bytes : bytes.subarray(0, offset);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new InputError({ file: displayPath(path) }, `cannot be read (${code})`);
  } finally {
    await handle.close();
  }
}
