/**
 * Counters that accumulate over process runs (predictions scored, retraining outcomes). Each run
 * is a new process with a fresh registry, so the running totals live in `state.json` beside the
 * textfiles, written atomically: a pushed counter never goes backwards. Totals are kept per job
 * and grouping, as the Pushgateway keeps them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-file.js';

export const STATE_FILE = 'state.json';

type Totals = Record<string, number>;

export class RunState {
  private constructor(
    private readonly path: string,
    private readonly all: Record<string, Totals>,
  ) {}

  static async open(dir: string): Promise<RunState> {
    const path = join(dir, STATE_FILE);
    const text = await readFile(path, 'utf8').catch(() => null);
    let all: Record<string, Totals> = {};
    if (text !== null) {
      try {
        all = JSON.parse(text) as Record<string, Totals>;
      } catch {
        // A damaged state file restarts the totals rather than stopping every job.
        all = {};
      }
    }
    return new RunState(path, all);
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

  /** Adds to a running total and saves; returns the new total. */
  async add(group: string, counter: string, amount: number): Promise<number> {
    const totals = (this.all[group] ??= {});
    totals[counter] = (totals[counter] ?? 0) + amount;
    await writeFileAtomic(this.path, JSON.stringify(this.all, null, 2) + '\n');
    return totals[counter];
  }
}

/** `churn_predict` or `churn_predict/instance=a/shard=2`: the key of a job's group. */
export function groupKey(job: string, grouping: Array<[string, string]>): string {
  return [job, ...grouping.map(([name, value]) => `${name}=${value}`)].join('/');
}
