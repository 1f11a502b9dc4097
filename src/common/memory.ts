import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collector: (() => void) | undefined;

/**
 * A full garbage collection now. Streaming jobs call it between batches: V8 otherwise lets the
 * heap grow with the garbage of every parsed record before collecting, so peak memory would grow
 * with the file. It costs a few milliseconds per batch, since little survives a batch.
 */
export function collectGarbage(): void {
  if (collector === undefined) {
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as () => void;
  }
  collector();
}
