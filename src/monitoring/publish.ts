/**
 * Where a job's metrics go when it ends. A successful run writes its textfile and replaces its
 * group on the Pushgateway (PUT), so series of earlier runs vanish. A failed run counts the
 * failure and sets only its failure time and failures total (POST), leaving the last good run's
 * metrics in place. A gateway that cannot be reached is a warning, since the job's real work is
 * done, unless --strict-push asks otherwise.
 */
import { secondsSince } from '../common/elapsed.js';
import { constants, existsSync } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChurnError, InputError, UsageError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import type { ChurnConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import {
  FAILURES_COUNTER,
  failureExposition,
  type JobMetrics,
  type JobName,
} from './job-metrics.js';
import { push, PushError, redactUrl, type PushTarget } from './pushgateway.js';
import type { RunState } from './run-state.js';
import { replaceFamilies, writeTextfile } from './textfile.js';

/** The Pushgateway group of the champion model, which every promotion publishes. */
export const CHAMPION_GROUP = 'churn_champion';

export interface PublishSettings {
  job: JobName | typeof CHAMPION_GROUP;
  pushgateway: ChurnConfig['pushgateway'];
  /** Grouping labels after the job: instance first when given. The home's label follows them. */
  grouping: Array<[string, string]>;
  textfileDir: string;
  /** The home whose running totals the run counts in; its name labels every group pushed. */
  state: RunState;
  /** A failed push fails the job. */
  strict: boolean;
  /** The CA file's certificates, read by checkPublishing before the job starts. */
  ca?: Buffer;
  /**
   * Whether a failed run creates textfileDir to record its failure time; false outside a
   * project, where a failed run leaves no folder behind (it records it when the folder exists).
   */
  createFolderOnFailure?: boolean;
}

/**
 * Everything publishing needs that can fail on the user's side, checked before the job does its
 * work: the textfile folder can be written, the CA file can be read. So a run refused for its
 * settings (exit code 2) has changed nothing.
 */
export async function checkPublishing(settings: PublishSettings): Promise<PublishSettings> {
  const dir = settings.textfileDir;
  try {
    await checkFolderWritable(dir);
  } catch (error) {
    throw new InputError(
      { file: displayPath(dir) },
      `cannot hold the metrics textfiles (metrics.textfileDir): ${(error as Error).message}`,
    );
  }
  const { url, caFile } = settings.pushgateway;
  if (url === null || caFile === null) return settings;
  return { ...settings, ca: await readCaFile(caFile) };
}

/** The folder can be written to, or made where it is missing; nothing is created yet. */
async function checkFolderWritable(dir: string): Promise<void> {
  for (let at = dir; ; at = dirname(at)) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && dirname(at) !== at) return null;
      throw error;
    });
    if (info === null) continue;
    if (!info.isDirectory()) throw new Error(`${displayPath(at)} is not a folder`);
    await access(at, constants.W_OK);
    return;
  }
}

async function readCaFile(caFile: string): Promise<Buffer> {
  return readFile(caFile).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      `pushgateway.caFile ${displayPath(caFile)} cannot be read (${error.code})`,
    );
  });
}

/** The metrics could not be pushed and --strict-push was given: exit code 3. */
export class PushFailedError extends ChurnError {
  override readonly exitCode = 3;
}

export async function publishSuccess(
  metrics: JobMetrics,
  settings: PublishSettings,
  log: Logger,
): Promise<void> {
  await publishExposition(await metrics.exposition(), settings, log);
}

/** A group's labels after the job, as pushed: the run's grouping, then its home. */
export function pushedGrouping(settings: PublishSettings): Array<[string, string]> {
  return [...settings.grouping, ['home', settings.state.home]];
}

/** Writes an exposition to the group's textfile and replaces the group on the gateway. */
export async function publishExposition(
  exposition: string,
  settings: PublishSettings,
  log: Logger,
): Promise<void> {
  const path = await writeTextfile(settings.textfileDir, settings.job, exposition);
  log.debug('wrote metrics textfile', { path: displayPath(path) });
  // The home is recorded before anything is pushed under its name.
  await settings.state.save();
  await pushMetrics(settings, 'PUT', exposition, log);
}

/** Counts a failure of the job's group and publishes it. */
export async function publishFailure(
  settings: PublishSettings,
  group: string,
  at: Date,
  log: Logger,
): Promise<void> {
  // Outside a project a failed run leaves no folder: its failure is pushed, not recorded.
  const record = settings.createFolderOnFailure !== false || existsSync(settings.textfileDir);
  const failures = record
    ? await settings.state.add(group, FAILURES_COUNTER, 1)
    : settings.state.total(group, FAILURES_COUNTER) + 1;
  const exposition = await failureExposition(at, failures);
  if (record) await replaceFamilies(settings.textfileDir, settings.job, exposition);
  await pushMetrics({ ...settings, strict: false }, 'POST', exposition, log);
}

/** Pushes an exposition to the configured gateway, if any: a failure warns, or throws when strict. */
export async function pushMetrics(
  settings: PublishSettings,
  method: 'PUT' | 'POST',
  body: string,
  log: Logger,
): Promise<void> {
  const { url } = settings.pushgateway;
  if (url === null) return;
  const started = performance.now();
  try {
    await push(await pushTarget(settings, url), method, body);
    log.info('pushed metrics', {
      gateway: redactUrl(url),
      job: settings.job,
      grouping: pushedGrouping(settings)
        .map(([name, value]) => `${name}=${value}`)
        .join(' '),
      method,
      seconds: secondsSince(started),
    });
  } catch (error) {
    if (!(error instanceof PushError)) throw error;
    if (settings.strict) throw new PushFailedError(error.message);
    log.warn(
      `${error.message}; the job's work is done and its metrics are in ${displayPath(settings.textfileDir)}`,
    );
  }
}

async function pushTarget(settings: PublishSettings, url: string): Promise<PushTarget> {
  const { username, password, token, caFile, timeoutSeconds, retries } = settings.pushgateway;
  const ca = settings.ca ?? (caFile !== null ? await readCaFile(caFile) : undefined);
  return {
    url,
    job: settings.job,
    grouping: pushedGrouping(settings),
    timeoutMs: timeoutSeconds * 1000,
    retries,
    auth:
      token !== null
        ? { token }
        : username !== null
          ? { username, password: password ?? '' }
          : null,
    ca,
  };
}
