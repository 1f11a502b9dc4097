/**
 * `-` as a file name: standard input for `--data`, standard output for `--out`, as Unix tools
 * read it. Output to a stream cannot be taken back, so unlike a file it is not atomic: a run that
 * fails midway has written part of its rows, and its exit code says so.
 */
import { openAtomicWriter, type AtomicWriter } from './atomic-file.js';
import { InputError } from './errors.js';
import { displayPath } from './paths.js';

export const STANDARD_STREAM = '-';

export function isStandardStream(path: string | null | undefined): boolean {
  return path === STANDARD_STREAM;
}

/** How messages name the stream `-` stands for, or the file. */
export function streamName(path: string, direction: 'input' | 'output'): string {
  return isStandardStream(path) ? `standard ${direction}` : displayPath(path);
}

/** A file replaced atomically, or the stream `-` stands for. */
export function openOutput(path: string, stdout: NodeJS.WritableStream = process.stdout) {
  return isStandardStream(path) ? Promise.resolve(streamWriter(stdout)) : openAtomicWriter(path);
}

/**
 * A writer onto a stream (standard output) with the atomic writer's shape: each write waits until
 * the stream takes more, so a slow reader downstream slows churn instead of filling its memory.
 */
export function streamWriter(stream: NodeJS.WritableStream): AtomicWriter {
  let bytes = 0;
  let failure: Error | null = null;
  const onError = (error: Error) => (failure ??= error);
  stream.on('error', onError);
  const written = (content: string | Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(cannotWrite(failure));
      if (stream.write(content)) return resolve();
      const settle = (error?: Error) => {
        stream.off('drain', settle);
        stream.off('error', settle);
        if (error) reject(cannotWrite(error));
        else resolve();
      };
      stream.on('drain', settle);
      stream.on('error', settle);
    });
  return {
    path: STANDARD_STREAM,
    async write(content) {
      await written(content);
      bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
    },
    async commit() {
      stream.off('error', onError);
      if (failure) throw cannotWrite(failure);
      return bytes;
    },
    async abort() {
      stream.off('error', onError);
    },
  };
}

function cannotWrite(error: Error): InputError {
  return new InputError({ file: 'standard output' }, `cannot be written (${error.message})`);
}
