/**
 * Commands whose runs are observable: `runMonitored` wraps the command harness so every run
 * publishes its metrics (textfile, and the Pushgateway when one is configured) whether it
 * succeeds or fails, and the champion's group when the run changed the champion.
 */
import { secondsSince } from '../common/elapsed.js';
import type { Command } from 'commander';
import { publishChampion } from '../monitoring/champion.js';
import { JobMetrics, type JobName } from '../monitoring/job-metrics.js';
import {
  checkPublishing,
  publishFailure,
  publishSuccess,
  type PublishSettings,
} from '../monitoring/publish.js';
import { groupKey, RunState } from '../monitoring/run-state.js';
import { ModelRegistry } from '../registry/registry.js';
import { runCommand, withInterruptHook, type CommandContext, type Environment } from './context.js';

export interface GroupingFlags {
  instance?: string;
  grouping?: Array<[string, string]>;
}

export interface PushFlags extends GroupingFlags {
  strictPush?: boolean;
}

export async function runMonitored<T>(
  name: string,
  job: JobName,
  command: Command,
  environment: Environment,
  body: (context: CommandContext, metrics: JobMetrics) => Promise<T>,
  /** Grouping labels the command adds after the flags' (a shard's number). */
  extraGrouping: Array<[string, string]> = [],
): Promise<T> {
  return runCommand(name, command, environment, async (context) => {
    const { config, log } = context;
    const flags = command.opts<PushFlags>();
    const grouping = [...groupingOf(flags), ...extraGrouping];
    const settings = await preparePublishing(job, flags, context, grouping);
    const metrics = new JobMetrics(job, settings.state, groupKey(job, grouping));
    const started = performance.now();
    let result: T;
    const publishFailed = () => publishFailure(settings, metrics.group, new Date(), log);
    try {
      result = await withInterruptHook(
        environment,
        () => publishFailed().catch(() => undefined),
        () => body(context, metrics),
      );
    } catch (error) {
      await publishFailed().catch((failure: Error) =>
        log.warn(`could not publish the failure: ${failure.message}`),
      );
      throw error;
    }
    if (!metrics.publish) return result;
    metrics.recordSuccess(secondsSince(started), new Date());
    await publishSuccess(metrics, settings, log);
    if (metrics.championChanged) {
      await publishChampion(new ModelRegistry(config.modelsDir), settings, log);
    }
    return result;
  });
}

/**
 * Where a run's metrics go: its job's group, in the home that keeps its running totals, checked
 * before the job works, so a refusal (exit code 2) has changed nothing.
 */
export async function preparePublishing(
  job: PublishSettings['job'],
  flags: PushFlags,
  { config, failureMayCreate }: CommandContext,
  grouping: Array<[string, string]> = groupingOf(flags),
): Promise<PublishSettings> {
  const { textfileDir, home } = config.metrics;
  return checkPublishing({
    job,
    pushgateway: config.pushgateway,
    grouping,
    textfileDir,
    state: await RunState.open(textfileDir, home),
    strict: flags.strictPush === true,
    createFolderOnFailure: failureMayCreate('metrics.textfileDir'),
  });
}

/** The grouping labels after the job: the instance first, then --grouping's, in order. */
export function groupingOf(flags: GroupingFlags): Array<[string, string]> {
  return [
    ...(flags.instance !== undefined ? [['instance', flags.instance] as [string, string]] : []),
    ...(flags.grouping ?? []),
  ];
}
