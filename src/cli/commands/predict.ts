import type { ChalkInstance } from 'chalk';
import type { Command } from 'commander';
import { join } from 'node:path';
import { UsageError } from '../../common/errors.js';
import { isStandardStream } from '../../common/standard-streams.js';
import type { Delimiter } from '../../data/delimiter.js';
import { EXPLAIN_METHOD_NAMES } from '../../config/schema.js';
import type { Shard } from '../../data/shard.js';
import type { ExplainMethod } from '../../forest/index.js';
import type { PredictResult } from '../../jobs/predict.js';
import type { ExplanationRequest } from '../../jobs/scoring/explanations.js';
import { RISK_LEVELS } from '../../jobs/scoring/risk.js';
import type { MergeShardsResult } from '../../jobs/shards.js';
import { driftLine } from '../render/drift.js';
import type { Environment } from '../context.js';
import { addFlags } from '../flags.js';
import { DELIMITER, MODELS_DIR, PUSH_FLAGS, THREADS } from '../options.js';
import { integerArg, shardArg } from '../parse.js';
import { progressBarOfUnknownTotal } from '../progress.js';

interface PredictFlags {
  model?: string;
  out?: string;
  keepColumns?: boolean;
  delimiter?: Delimiter;
  explain?: number;
  contributions?: boolean;
  shard?: Shard;
  shards?: number;
  mergeShards?: boolean;
}

/** What Kubernetes sets in each pod of an Indexed Job: its index, from 0. */
const COMPLETION_INDEX = 'JOB_COMPLETION_INDEX';

export function registerPredict(program: Command, environment: Environment): void {
  const command = program
    .command('predict')
    .description('score customers in a CSV with the champion (or a chosen) model');
  addFlags(command, [
    {
      flags: '--data <file>',
      description: 'CSV or Parquet file to score, or - for stdin',
      key: 'data.score',
      defaultText: 'data.score from the configuration',
    },
    {
      flags: '--model <version|path>',
      description: 'model version or model file',
      defaultText: 'the champion',
    },
    MODELS_DIR,
    {
      flags: '--out <file>',
      description: 'output CSV, replaced atomically, or - for stdout',
      defaultText: '<outputsDir>/predictions.csv',
    },
    {
      flags: '--keep-columns',
      description: 'copy every input column into the output, before the predictions',
    },
    {
      flags: '--explain <k>',
      description:
        "add each customer's k strongest reasons: reason_1 (feature=value), reason_1_contribution, …",
      parse: integerArg(1),
    },
    {
      flags: '--contributions',
      description: "add every feature's contribution (contribution_<feature>) and base_value",
    },
    {
      flags: '--explain-method <method>',
      description: 'exact TreeSHAP, or fast path attribution for millions of rows',
      key: 'explain.method',
      choices: EXPLAIN_METHOD_NAMES,
    },
    DELIMITER,
    {
      ...THREADS,
      description: 'threads in all, this one included',
      defaultText: 'one per core',
    },
    {
      flags: '--shard <K/N>',
      description: 'score only shard K (from 0) of N of the file: N runs share one file',
      parse: shardArg,
    },
    {
      flags: '--shards <n>',
      description: `score shard $${COMPLETION_INDEX} of N (a Kubernetes Indexed Job); with --merge-shards: N`,
      parse: integerArg(1),
    },
    {
      flags: '--merge-shards',
      description: 'join the outputs of --shards N runs, in order, into --out',
    },
    ...PUSH_FLAGS,
  ])
    .addHelpText(
      'after',
      `
Output columns: the id (when the model has one and the file carries it), churn_probability (0-1),
churn_predicted (0/1 at the model's tuned threshold), risk_level (low, medium, high; cutoffs from
risk.medium and risk.high). With --explain k or --contributions, the explanation columns follow:
contributions are in probability units and, with the base value, add up to churn_probability.
They explain the model's score, not the customer (docs/explanations.md).

Examples:
  churn predict --data data/new_batch_1.csv --out outputs/scored.csv
  churn predict --data customers.csv --model 20261126-223108-123-a1b2 --keep-columns --json
  churn predict --data data/new_batch_1.csv --explain 3
  churn predict --data big.csv --explain 3 --explain-method fast
  churn predict --data big.csv --out scored.csv --shard 1/4     writes scored.shard-1-of-4.csv
  churn predict --merge-shards --shards 4 --out scored.csv      joins the four into scored.csv

A shard's output has the shard in its name (before the extension, or in place of {shard}
in --out) and its metrics go to a group of their own with a shard label. See docs/operations.md.`,
    )
    .action(async (flags: PredictFlags, cmd: Command) => {
      if (flags.mergeShards) return mergeShards(flags, cmd, environment);
      const shard = shardOf(flags, environment.env);
      const { runMonitored } = await import('../monitored.js');
      const { checkedOutput } = await import('../output-path.js');
      const { predictChurn } = await import('../../jobs/predict.js');
      const { shardOutputPath } = await import('../../jobs/shards.js');
      await runMonitored(
        'predict',
        'churn_predict',
        cmd,
        environment,
        async ({ config, log, out }, metrics) => {
          if (config.data.score === null) {
            throw new UsageError('nothing to score: pass --data FILE or set data.score');
          }
          out.claimStdoutFor(flags.out);
          if (shard && isStandardStream(flags.out)) {
            throw new UsageError('a shard writes a file of its own: give --out FILE, not -');
          }
          const explain = explanationRequest(flags, config.explain.method);
          const progress = progressBarOfUnknownTotal(out, 'scoring', 'KB read');
          const target = await checkedOutput(
            {
              flag: '--out',
              given: flags.out && shard ? shardOutputPath(flags.out, shard) : flags.out,
              fallback: shardOutputPath(join(config.outputsDir, 'predictions.csv'), shard),
              inputs: [config.data.score, flags.model],
            },
            config,
            environment.cwd,
          );
          const result = await predictChurn(
            {
              data: config.data.score,
              out: target,
              shard,
              stdout: environment.streams.stdout,
              model: flags.model,
              modelsDir: config.modelsDir,
              keepColumns: flags.keepColumns === true,
              risk: config.risk,
              drift: config.drift,
              delimiter: flags.delimiter,
              maxFieldSize: config.data.maxFieldSize,
              threads: config.model.threads,
              cwd: environment.cwd,
              onProgress: ({ bytesRead, bytes }) => {
                progress.update(Math.floor(bytesRead / 1024), Math.ceil(bytes / 1024));
              },
              onScores: (scores) => metrics.observeScores(scores),
              explain,
            },
            log,
          );
          progress.finish();
          metrics.recordModelInfo(result.modelVersion, result.modelParams);
          await metrics.recordPredictions(result);
          metrics.recordDrift(result.drift);
          if (shard) metrics.recordShards(shard.count);
          out.result(result, renderPredict, predictJson);
        },
        shard ? [['shard', String(shard.index)]] : [],
      );
    });
}

function explanationRequest(
  flags: PredictFlags,
  method: ExplainMethod,
): ExplanationRequest | undefined {
  if (flags.explain !== undefined && flags.contributions) {
    throw new UsageError(
      '--explain and --contributions are two forms of the same columns: choose one',
    );
  }
  if (flags.explain !== undefined) return { output: 'reasons', count: flags.explain, method };
  if (flags.contributions) return { output: 'contributions', method };
  return undefined;
}

/** `--shard K/N`, or `--shards N` with K from the Indexed Job's completion index. */
function shardOf(flags: PredictFlags, env: Environment['env']): Shard | undefined {
  if (flags.shard && flags.shards !== undefined) {
    throw new UsageError('give --shard K/N or --shards N (K from $JOB_COMPLETION_INDEX), not both');
  }
  if (flags.shards === undefined) return flags.shard;
  const text = env[COMPLETION_INDEX];
  const index = /^\d+$/.test(text?.trim() ?? '') ? Number(text) : NaN;
  if (!(index < flags.shards)) {
    throw new UsageError(
      text === undefined
        ? `--shards ${flags.shards} takes the shard from $${COMPLETION_INDEX}, which is not set (it is in a Kubernetes Indexed Job): pass --shard K/${flags.shards} instead`
        : `$${COMPLETION_INDEX} is "${text}": expected a shard number from 0 to ${flags.shards - 1} for --shards ${flags.shards}`,
    );
  }
  return { index, count: flags.shards };
}

async function mergeShards(flags: PredictFlags, cmd: Command, environment: Environment) {
  const { runCommand } = await import('../context.js');
  const { checkedOutput } = await import('../output-path.js');
  const { mergeShardOutputs } = await import('../../jobs/shards.js');
  await runCommand('predict', cmd, environment, async ({ config, log, out }) => {
    if (flags.shards === undefined) {
      throw new UsageError('--merge-shards needs --shards N, the number of shards to join');
    }
    if (flags.shard) throw new UsageError('--merge-shards joins every shard: drop --shard');
    if (isStandardStream(flags.out)) {
      throw new UsageError('--merge-shards finds the shards by the name in --out: give --out FILE');
    }
    const target = await checkedOutput(
      {
        flag: '--out',
        given: flags.out,
        fallback: join(config.outputsDir, 'predictions.csv'),
        inputs: [],
      },
      config,
      environment.cwd,
    );
    const result = await mergeShardOutputs(target, flags.shards, log);
    out.result(result, renderMerge);
  });
}

function renderMerge(result: MergeShardsResult, c: ChalkInstance): string {
  return (
    `${c.green('✔')} joined ${result.shards} shard outputs: ` +
    `${c.bold(result.rows.toLocaleString('en-US'))} rows → ${c.bold(result.out)}`
  );
}

function predictJson(result: PredictResult) {
  const { rows, out, modelVersion, riskLevels, averageScore, durationSeconds, drift } = result;
  return { rows, out, modelVersion, riskLevels, averageScore, durationSeconds, drift };
}

function renderPredict(result: PredictResult, c: ChalkInstance): string {
  const share = (count: number) =>
    result.rows > 0 ? `${((count / result.rows) * 100).toFixed(1)}%` : '0%';
  const colour = { low: c.green, medium: c.yellow, high: c.red };
  return [
    `${c.green('✔')} scored ${c.bold(result.rows.toLocaleString('en-US'))} customers with ` +
      `${c.bold(result.modelVersion)} in ${result.durationSeconds.toFixed(2)}s → ${c.bold(result.out)}`,
    ...RISK_LEVELS.map(
      (level) =>
        `  ${colour[level](level.padEnd(7))}${result.riskLevels[level].toLocaleString('en-US').padStart(12)}  ${share(result.riskLevels[level])}`,
    ),
    `  mean churn probability ${result.averageScore.toFixed(4)}; ` +
      `${result.predictedChurn.toLocaleString('en-US')} predicted to churn at threshold ${result.threshold.toFixed(4)}`,
    `  ${driftLine(result.drift, c)}`,
  ].join('\n');
}
