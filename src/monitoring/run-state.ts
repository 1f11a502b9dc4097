/**
 * Counters that accumulate over process runs (predictions scored, retraining outcomes, failures).
 * Each run is a new process with a fresh registry, so the running totals live in `state.json`
 * beside the textfiles, per job and grouping as the Pushgateway keeps them, read, added to and
 * written atomically under a lock, so runs finishing at the same moment each add their count.
 *
 * The folder they live in is a **home**, and every group a run pushes carries its `home` label:
 * two working directories (the demo's and the user's), or two machines, each count their own
 * series, each of which only goes up, and Prometheus sums them. A home's name is minted once (the
 * host's name and a random suffix, or `metrics.home`) and recorded with the folder's real path: a
 * state file found under another path (a copied or moved project) starts a new home from zero,
 * since the old home's series still hold what it counted.
 */
import { randomBytes } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { ensureDirectory, writeFileAtomic } from '../common/atomic-file.js';
import { withLock } from '../common/file-lock.js';

export const STATE_FILE = 'state.json';

const stateSchema = z.object({
  home: z.string().min(1),
  /** The real path of the folder the home was minted in. */
  path: z.string(),
  totals: z.record(z.string(), z.record(z.string(), z.number().nonnegative())),
});
type StateDocument = z.infer<typeof stateSchema>;

export class RunState {
  private constructor(
    private readonly dir: string,
    private document: StateDocument,
    /** The home was made up by this run and is recorded nowhere yet. */
    private minted: boolean,
  ) {}

  /**
   * The state of a folder, read without writing anything: its home is `home` when given
   * (metrics.home), else the one recorded there for this folder, else a new one.
   */
  static async open(dir: string, home: string | null = null): Promise<RunState> {
    const path = await realFolder(dir);
    const stored = await readState(dir);
    if (stored !== null && stored.path === path && (home === null || home === stored.home)) {
      return new RunState(dir, stored, false);
    }
    return new RunState(dir, { home: home ?? mintHome(), path, totals: {} }, home === null);
  }

  /** The value of the `home` label of every group pushed from here. */
  get home(): string {
    return this.document.home;
  }

  /** The running total of a counter (0 when never counted). */
  total(group: string, counter: string): number {
    return this.document.totals[group]?.[counter] ?? 0;
  }

  /** A counter's running total summed over every group of a job. */
  jobTotal(job: string, counter: string): number {
    let sum = 0;
    for (const [group, totals] of Object.entries(this.document.totals)) {
      if (group === job || group.startsWith(`${job}/`)) sum += totals[counter] ?? 0;
    }
    return sum;
  }

  /**
   * Records the home before anything is pushed under its name. When another run recorded one
   * for this folder meanwhile, that one is taken instead.
   */
  async save(): Promise<void> {
    await this.locked(async () => undefined);
  }

  /** Adds to a running total and saves; returns the new total. */
  async add(group: string, counter: string, amount: number): Promise<number> {
    return this.locked(async (document) => {
      const totals = (document.totals[group] ??= {});
      totals[counter] = (totals[counter] ?? 0) + amount;
      return totals[counter];
    });
  }

  /** Reads the file again under the lock, changes it and writes it. */
  private async locked<T>(change: (document: StateDocument) => Promise<T>): Promise<T> {
    await ensureDirectory(this.dir); // a run's first count makes the folder
    return withLock(join(this.dir, STATE_LOCK_FILE), STATE_LOCK, async () => {
      // The folder exists now, so its real path is known even if it did not when opened.
      this.document.path = await realFolder(this.dir);
      const stored = await readState(this.dir);
      const sameFolder = stored !== null && stored.path === this.document.path;
      if (sameFolder && (stored.home === this.document.home || this.minted)) {
        this.document = stored;
      }
      this.minted = false;
      const result = await change(this.document);
      await writeFileAtomic(
        join(this.dir, STATE_FILE),
        JSON.stringify(this.document, null, 2) + '\n',
      );
      return result;
    });
  }
}

const STATE_LOCK_FILE = `.${STATE_FILE}.lock`;
const STATE_LOCK = {
  holder: 'another churn run recording its running totals',
  operation: 'record running totals',
  waitMs: 30_000,
};

/** `churn_predict` or `churn_predict/instance=a/shard=2`: the key of a job's group. */
export function groupKey(job: string, grouping: Array<[string, string]>): string {
  return [job, ...grouping.map(([name, value]) => `${name}=${value}`)].join('/');
}

/** A folder's real path (symbolic links resolved), or its absolute path before it exists. */
function realFolder(dir: string): Promise<string> {
  return realpath(dir).catch(() => resolve(dir));
}

function mintHome(): string {
  const host = hostname().replace(/[^\w.-]+/g, '-') || 'host';
  return `${host}-${randomBytes(3).toString('hex')}`;
}

/** The folder's state; null for none, a damaged one, or one of a churn before homes. */
async function readState(dir: string): Promise<StateDocument | null> {
  const text = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(text));
    // A damaged or older state file restarts the totals rather than stopping every job.
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
