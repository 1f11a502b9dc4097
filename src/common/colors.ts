import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour is decided once per run (a TTY, no --no-color, no NO_COLOR) and passed down, instead of
 * each writer guessing from whatever stream chalk happens to inspect.
 */
export function palette(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 2 : 0 });
}

export function colorWanted(
  stream: { isTTY?: boolean },
  flag: boolean,
  env: Record<string, string | undefined>,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
