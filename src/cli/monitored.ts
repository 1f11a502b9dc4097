/**
 * Commands whose runs are observable: `runMonitored` wraps the command harness so every run
 * publishes its metrics (textfile, and the Pushgateway when one is configured) whether it
 * succeeds or fails.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { JobMetrics, type JobName } from '../monitoring/job-metrics.js';
import { publishFailure, publishSuccess, type PublishSettings } from '../monitoring/publish.js';
import { groupKey, RunState } from '../monitoring/run-state.js';
import {
  runCommand,
  withInterruptHook,
  type CommandContext,
  type Environment,
  type FlagMap,
} from './context.js';

export interface GroupingFlags {
  instance?: string;
  grouping?: Array<[string, string]>;
}

interface PushFlags extends GroupingFlags {
  strictPush?: boolean;
}

const PUSH_FLAGS: FlagMap = [['pushgateway', 'pushgateway.url', '--pushgateway']];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function addPushOptions(command: Command): Command {
  return command
    .option('--pushgateway <url>', 'Pushgateway to push metrics to (also CHURN_PUSHGATEWAY_URL)')
    .option('--instance <name>', 'instance label of the pushed group (multi-host runs)')
    .option(
      '--grouping <label=value>',
      'another grouping label of the pushed group (repeatable)',
      groupingArg,
    )
    .option('--strict-push', 'fail (exit code 3) when the metrics cannot be pushed');
}

export async function runMonitored<T>(
  name: string,
  job: JobName,
  command: Command,
  environment: Environment,
  flagMap: FlagMap,
  body: (context: CommandContext, metrics: JobMetrics) => Promise<T>,
): Promise<T> {
  return runCommand(name, command, environment, [...flagMap, ...PUSH_FLAGS], async (context) => {
    const flags = command.opts<PushFlags>();
    const grouping = groupingOf(flags);
    const settings: PublishSettings = {
      job,
      pushgateway: context.config.pushgateway,
      grouping,
      textfileDir: context.config.metrics.textfileDir,
      strict: flags.strictPush === true,
    };
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
    metrics.recordSuccess((performance.now() - started) / 1000, new Date());
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

export function groupingArg(
  value: string,
  previous: Array<[string, string]> = [],
): Array<[string, string]> {
  const at = value.indexOf('=');
  const label = at > 0 ? value.slice(0, at) : '';
  if (!LABEL_NAME.test(label) || label === 'job') {
    throw new InvalidArgumentError(
      'expected label=value, the label a Prometheus label name other than job.',
    );
  }
  return [...previous, [label, value.slice(at + 1)]];
}
