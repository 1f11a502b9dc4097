import type { ChalkInstance } from 'chalk';
import { InvalidArgumentError, type Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../../common/errors.js';
import type { Delimiter } from '../../data/delimiter.js';
import type { RetrainMetric, RetrainResult } from '../../jobs/retrain.js';
import type { Environment } from '../context.js';
import { addFlags } from '../flags.js';
import { LABELLED_DATA_FLAGS, MODELS_DIR, PUSH_FLAGS, TEST_SIZE, THREADS } from '../options.js';
import { progressBarOfUnknownTotal } from '../progress.js';

interface RetrainFlags {
  data: string;
  categorical?: string[];
  numeric?: string[];
  delimiter?: Delimiter;
  metric: RetrainMetric;
  minImprovement: number;
  dryRun?: boolean;
}

export function registerRetrain(program: Command, environment: Environment): void {
  const command = program
    .command('retrain')
    .description(
      'merge new labelled rows, train a challenger, promote it if it beats the champion',
    );
  addFlags(command, [
    { flags: '--data <file>', description: 'new labelled rows', required: true },
    {
      flags: '--base <file>',
      description: 'training file the rows join',
      key: 'data.train',
      defaultText: 'data.train from the configuration',
    },
    ...LABELLED_DATA_FLAGS,
    {
      flags: '--metric <name>',
      description: 'metric the challenger must win on',
      choices: ['f2', 'rocAuc'],
      default: 'f2',
    },
    {
      flags: '--min-improvement <f>',
      description: 'margin the challenger needs over the champion',
      parse: improvementArg,
      default: 0,
    },
    { ...TEST_SIZE, description: 'share of merged rows held out to compare the two' },
    THREADS,
    MODELS_DIR,
    { flags: '--dry-run', description: 'report what would happen; write nothing' },
    ...PUSH_FLAGS,
  ])
    .addHelpText(
      'after',
      `
Exit codes for cron: 0 whether the challenger was promoted or not; 4 another retrain holds the
lock; 2 bad input (nothing changed); 3 metrics not pushed (--strict-push); 1 other failures.

Examples:
  churn retrain --data data/new_batch_1.csv
  churn retrain --data incoming/2026-11-26.csv --metric rocAuc --min-improvement 0.005 --json
  churn retrain --data incoming/today.csv --dry-run`,
    )
    .action(async (flags: RetrainFlags, cmd: Command) => {
      const { runMonitored } = await import('../monitored.js');
      const { retrainModel } = await import('../../jobs/retrain.js');
      await runMonitored(
        'retrain',
        'churn_retrain',
        cmd,
        environment,
        async ({ config, log, out }, metrics) => {
          if (config.data.train === null) {
            throw new UsageError('no base training file: pass --base FILE or set data.train');
          }
          if (config.data.target === null) {
            throw new UsageError('no target column: pass --target COLUMN or set data.target');
          }
          const progress = progressBarOfUnknownTotal(out, 'growing challenger', 'trees');
          const result = await retrainModel(
            {
              data: resolve(environment.cwd, flags.data),
              base: config.data.train,
              target: config.data.target,
              id: config.data.id,
              positiveLabel: config.data.positiveLabel,
              categorical: flags.categorical,
              numeric: flags.numeric,
              delimiter: flags.delimiter,
              maxFieldSize: config.data.maxFieldSize,
              modelsDir: config.modelsDir,
              metric: flags.metric,
              minImprovement: flags.minImprovement,
              testSize: config.training.testSize,
              calibration: config.training.calibration,
              threads: config.model.threads,
              dryRun: flags.dryRun === true,
              drift: config.drift,
              quality: config.quality,
              onTree: (done, total) => progress.update(done, total),
            },
            log,
          );
          progress.finish();
          if (result.dryRun) metrics.publish = false;
          else {
            await metrics.recordRetraining(result.outcome);
            if (result.outcome !== 'unchanged' && result.live !== null) {
              metrics.recordLive(result.champion.version, result.live);
            }
            // A promotion, or the champion's evaluation on the new rows, changes its group.
            metrics.championChanged =
              result.outcome !== 'unchanged' && (result.promoted || result.live !== null);
          }
          out.result(result, renderRetrain, retrainJson);
        },
      );
    });
}

function retrainJson(result: RetrainResult) {
  if (result.outcome === 'unchanged') {
    const { outcome, promoted, champion, rows } = result;
    return { outcome, promoted, champion, rows };
  }
  const { outcome, promoted, holdout, champion, challenger, rows, live } = result;
  return { outcome, promoted, holdout, champion, challenger, rows, live };
}

function renderRetrain(result: RetrainResult, c: ChalkInstance): string {
  if (result.outcome === 'unchanged') {
    const { rows } = result;
    return [
      `${c.bold(c.green('nothing new'))}: every row of the batch is in the base file already; ` +
        `champion ${result.champion.version} kept, no challenger trained, nothing written`,
      `  rows: ${rows.base} base + ${rows.new} new − ${rows.duplicates} duplicates = ${rows.merged}`,
    ].join('\n');
  }
  const metric = result.metric === 'f2' ? 'F2' : 'ROC AUC';
  const { champion, challenger, rows } = result;
  const score = (metrics: Record<RetrainMetric, number>) => metrics[result.metric].toFixed(4);
  const count = (n: number) => n.toLocaleString('en-US');
  const verdict = result.promoted
    ? c.green(`${result.dryRun ? 'would promote' : 'promoted'} the challenger`)
    : c.yellow(`${result.dryRun ? 'would keep' : 'kept'} the champion`);
  return [
    c.bold(verdict) + (result.dryRun ? ` ${c.dim('(dry run: nothing written)')}` : ''),
    `  rows: ${count(rows.base)} base + ${count(rows.new)} new − ${count(rows.duplicates)} ` +
      `duplicates = ${count(rows.merged)}` +
      (result.backup ? `; base backed up to ${result.backup}` : ''),
    result.live
      ? `  the champion on the ${count(result.live.rows)} new rows, before merging them: ` +
        `ROC AUC ${result.live.metrics.rocAuc.toFixed(4)}, F2 ${result.live.metrics.f2.toFixed(4)}` +
        (result.dryRun ? '' : ' (recorded in its history)')
      : `  the new rows hold a single class: the champion was not judged on them`,
    `  ${metric} on the merged holdout (${count(result.holdout.rows)} rows, the champion's own among them): ` +
      `champion ${champion.version} ${score(champion.metrics)}, ` +
      `challenger ${challenger.version ?? '(not saved)'} ${score(challenger.metrics)}`,
    c.dim(
      `  (on its own holdout of ${count(champion.ownHoldout.rows)} rows, as churn models list ` +
        `shows it, the champion's ${metric} is ${score(champion.ownHoldout.metrics)})`,
    ),
  ].join('\n');
}

function improvementArg(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < -1 || number > 1) {
    throw new InvalidArgumentError('expected a number from -1 to 1.');
  }
  return number;
}
