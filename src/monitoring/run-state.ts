/**
 * Counters that accumulate over process runs (predictions scored, retraining outcomes). Each run
 * is a new process with a fresh registry, so the running totals live in `state.json` beside the
 * textfiles, written atomically: a pushed counter never goes backwards. Totals are kept per job
 * and grouping, as the Pushgateway keeps them.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureDirectory, writeFileAtomic } from '../common/atomic-file.js';
import { withLock } from '../common/file-lock.js';

export const STATE_FILE = 'state.json';

type Totals = Record<string, number>;

export class RunState {
  private constructor(
    private readonly path: string,
    private all: Record<string, Totals>,
  ) {}

  static async open(dir: string): Promise<RunState> {
    const path = join(dir, STATE_FILE);
    return new RunState(path, await readTotals(path));
  }

  /** The running total of a counter (0 when never counted). */
  total(group: string, counter: string): number {
    return this.all[group]?.[counter] ?? 0;
  }

  /** A counter's running total summed over every group of a job. */
  jobTotal(job: string, counter: string): number {
    let sum = 0;
    for (const [group, totals] of Object.entries(this.all)) {
      if (group === job || group.startsWith(`${job}/`)) sum += totals[counter] ?? 0;
    }
    return sum;
  }

  /**
   * Adds to a running total and saves; returns the new total. Read, added to and written under a
   * lock, so runs finishing at the same moment each add their count: none is lost.
   */
  async add(group: string, counter: string, amount: number): Promise<number> {
    await ensureDirectory(dirname(this.path)); // a run's first count makes the folder
    return withLock(join(dirname(this.path), STATE_LOCK_FILE), STATE_LOCK, async () => {
      this.all = await readTotals(this.path);
      const totals = (this.all[group] ??= {});
      totals[counter] = (totals[counter] ?? 0) + amount;
      await writeFileAtomic(this.path, JSON.stringify(this.all, null, 2) + '\n');
      return totals[counter];
    });
  }
}

const STATE_LOCK_FILE = `.${STATE_FILE}.lock`;
const STATE_LOCK = {
  holder: 'another churn run recording its running totals',
  operation: 'record running totals',
  waitMs: 30_000,
};

async function readTotals(path: string): Promise<Record<string, Totals>> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return {};
  try {
    return JSON.parse(text) as Record<string, Totals>;
  } catch {
    // A damaged state file restarts the totals rather than stopping every job.
    return {};
  }
}

/** `churn_predict` or `churn_predict/instance=a/shard=2`: the key of a job's group. */
export function groupKey(job: string, grouping: Array<[string, string]>): string {
  return [job, ...grouping.map(([name, value]) => `${name}=${value}`)].join('/');
}
