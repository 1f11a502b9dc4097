/**
 * Commands whose runs are observable: `runMonitored` wraps the command harness so every run
 * publishes its metrics (textfile, and the Pushgateway when one is configured) whether it
 * succeeds or fails.
 */
import { secondsSince } from '../common/elapsed.js';
import type { Command } from 'commander';
import { JobMetrics, type JobName } from '../monitoring/job-metrics.js';
import { checkPublishing, publishFailure, publishSuccess } from '../monitoring/publish.js';
import { groupKey, RunState } from '../monitoring/run-state.js';
import { runCommand, withInterruptHook, type CommandContext, type Environment } from './context.js';

export interface GroupingFlags {
  instance?: string;
  grouping?: Array<[string, string]>;
}

interface PushFlags extends GroupingFlags {
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
    const flags = command.opts<PushFlags>();
    const grouping = [...groupingOf(flags), ...extraGrouping];
    // Checked before the job works, so a refusal (exit code 2) has changed nothing.
    const settings = await checkPublishing({
      job,
      pushgateway: context.config.pushgateway,
      grouping,
      textfileDir: context.config.metrics.textfileDir,
      strict: flags.strictPush === true,
      createFolderOnFailure: context.failureMayCreate('metrics.textfileDir'),
    });
    const state = await RunState.open(settings.textfileDir);
    const metrics = new JobMetrics(job, state, groupKey(job, grouping));
    const started = performance.now();
    let result: T;
    const publishInterruption = () =>
      publishFailure(settings, new Date(), context.log).catch(() => undefined);
    try {
      result = await withInterruptHook(environment, publishInterruption, () =>
        body(context, metrics),
      );
    } catch (error) {
      await publishFailure(settings, new Date(), context.log).catch((failure: Error) =>
        context.log.warn(`could not publish the failure: ${failure.message}`),
      );
      throw error;
    }
    if (!metrics.publish) return result;
    metrics.recordSuccess(secondsSince(started), new Date());
    await publishSuccess(metrics, settings, context.log);
    return result;
  });
}

/** The grouping labels after the job: the instance first, then --grouping's, in order. */
export function groupingOf(flags: GroupingFlags): Array<[string, string]> {
  return [
    ...(flags.instance !== undefined ? [['instance', flags.instance] as [string, string]] : []),
    ...(flags.grouping ?? []),
  ];
}
