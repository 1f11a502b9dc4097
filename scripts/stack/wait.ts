/**
 * Bounded waits for the stack scripts. Every wait names what it waited for (a URL, a query), stops
 * at its own limit or at the caller's overall deadline, whichever comes first, and its error says
 * what to do next: on a loaded machine a bare "The operation was aborted due to timeout" after
 * twenty minutes tells an instructor nothing.
 */

/** An error of the stack scripts, worded for the person at the terminal. */
export class StackError extends Error {}

/** Thrown by an attempt of `waitFor` when waiting longer cannot help (the process exited). */
export class StopWaiting extends StackError {}

/** The time a whole command (the demo, `monitoring:up`) may take, shared by all its waits. */
export class Deadline {
  private readonly end: number;

  constructor(
    readonly totalMs: number,
    /** What to do when it runs out, e.g. "rerun with DEMO_TIMEOUT_SECONDS=900". */
    readonly remedy: string,
  ) {
    this.end = Date.now() + totalMs;
  }

  /** Milliseconds left, at most `capMs`; 0 once it has run out. */
  left(capMs = Infinity): number {
    return Math.max(0, Math.min(capMs, this.end - Date.now()));
  }
}

export interface WaitOptions {
  /** This wait's own limit. */
  timeoutMs: number;
  /** The overall deadline it also stops at. */
  deadline?: Deadline;
  intervalMs?: number;
  /** What to do if it never happens, e.g. "check npm run monitoring:status". */
  next: string;
}

/**
 * Calls `attempt` until it returns something other than undefined. An attempt that throws counts
 * as "not yet" and its message is kept for the final error, unless it throws StopWaiting.
 */
export async function waitFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const limit = options.deadline?.left(options.timeoutMs) ?? options.timeoutMs;
  const end = Date.now() + limit;
  let last = '';
  for (;;) {
    try {
      const result = await attempt();
      if (result !== undefined) return result;
      last = '';
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= end) break;
    await sleep(Math.min(options.intervalMs ?? 250, Math.max(0, end - Date.now())));
  }
  const overall =
    options.deadline && limit < options.timeoutMs
      ? ` (the overall limit of ${seconds(options.deadline.totalMs)} ran out: ${options.deadline.remedy})`
      : '';
  throw new StackError(
    `gave up after ${seconds(limit)} waiting for ${what}${last ? ` (last error: ${last})` : ''}` +
      `${overall}. Next: ${options.next}`,
  );
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
