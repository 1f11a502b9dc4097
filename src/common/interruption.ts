/**
 * What a run must undo if SIGINT or SIGTERM stops it midway: temporary files not yet renamed into
 * place, a lock it holds. Undoing is synchronous because the process exits right after; the
 * signal handler itself lives at the CLI's boundary (src/cli/main.ts).
 */
import { rmSync } from 'node:fs';

const pending = new Map<number, () => void>();
let nextId = 0;

/** Registers an undo step; call the returned function once the step is no longer needed. */
function onInterrupt(undo: () => void): () => void {
  const id = nextId++;
  pending.set(id, undo);
  return () => pending.delete(id);
}

/** A temporary file or folder to remove if the run is interrupted before it is renamed. */
export function removeOnInterrupt(path: string): () => void {
  return onInterrupt(() => rmSync(path, { recursive: true, force: true }));
}

/** Runs every registered step, newest first; one failing does not stop the others. */
export function undoInterrupted(): void {
  for (const undo of [...pending.values()].reverse()) {
    try {
      undo();
    } catch {
      // Best effort: what remains is a leftover the next run recognizes and removes.
    }
  }
  pending.clear();
}
