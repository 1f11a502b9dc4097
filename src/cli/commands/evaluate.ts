import type { ChalkInstance } from 'chalk';
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { Delimiter } from '../../data/delimiter.js';
import type { RatedMetric } from '../../evaluation/index.js';
import { METRIC_LABELS, RATED_METRICS } from '../../evaluation/model-metrics.js';
import type { EvaluateResult } from '../../jobs/evaluate.js';
import type { Environment } from '../context.js';
import { addFlags } from '../flags.js';
import { DELIMITER, MODELS_DIR, PUSH_FLAGS, THREADS } from '../options.js';
import { driftLine } from '../render/drift.js';

interface EvaluateFlags {
  data: string;
  model?: string;
  batch?: string;
  delimiter?: Delimiter;
}

export function registerEvaluate(program: Command, environment: Environment): void {
  const command = program
    .command('evaluate')
    .description(
      'measure the champion (or a version) on a labelled batch, against its holdout figures',
    );
  addFlags(command, [
    {
      flags: '--data <file>',
      description: "labelled CSV: the model's features and its target",
      required: true,
    },
    {
      flags: '--model <version>',
      description: 'model version to evaluate',
      defaultText: 'the champion',
    },
    {
      flags: '--batch <name>',
      description: "the batch's name in the model's history and the metrics",
      defaultText: "the file's name",
    },
    MODELS_DIR,
    DELIMITER,
    { ...THREADS, description: 'threads in all, this one included', defaultText: 'one per core' },
    ...PUSH_FLAGS,
  ])
    .addHelpText(
      'after',
      `
Scores the file as churn predict would, then compares ROC AUC, F2, F1, precision, recall and
accuracy at the model's threshold with its holdout figures, and adds the Brier score, the log loss
and the batch's drift. A ROC AUC or F2 more than quality.maxDrop below the holdout's is reported
(the ModelPerformanceDegraded alert fires at the same margin for the champion). The evaluation is
appended to the version's history (churn models show), and the champion's group carries its
figures as churn_live_*.

Examples:
  churn evaluate --data data/new_batch_2.csv
  churn evaluate --data labelled/2026-11.csv --batch november --json
  churn evaluate --data labelled/2026-11.csv --model 20261126-223108-123-a1b2`,
    )
    .action(async (flags: EvaluateFlags, cmd: Command) => {
      const { runMonitored } = await import('../monitored.js');
      const { evaluateOnBatch } = await import('../../jobs/evaluate.js');
      await runMonitored(
        'evaluate',
        'churn_evaluate',
        cmd,
        environment,
        async ({ config, log, out }, metrics) => {
          const result = await evaluateOnBatch(
            {
              data: resolve(environment.cwd, flags.data),
              model: flags.model,
              modelsDir: config.modelsDir,
              batch: flags.batch,
              delimiter: flags.delimiter,
              maxFieldSize: config.data.maxFieldSize,
              threads: config.model.threads,
              drift: config.drift,
              maxDrop: config.quality.maxDrop,
            },
            log,
          );
          metrics.recordModelInfo(result.version, result.modelParams);
          metrics.recordLive(result.version, result.record);
          metrics.recordDrift(result.drift);
          metrics.championChanged = result.champion;
          out.result(result, renderEvaluate, evaluateJson);
        },
      );
    });
}

function evaluateJson(result: EvaluateResult) {
  const { version, champion, record, live, holdout, degraded, maxDrop, drift } = result;
  return {
    version,
    champion,
    batch: record.batch,
    file: record.file,
    rowsRead: record.rowsRead,
    rows: record.rows,
    churnRate: record.churnRate,
    live,
    holdout,
    degraded: degraded.map(({ metric }) => metric),
    maxDrop,
    drift,
    durationSeconds: result.durationSeconds,
  };
}

const ROWS: readonly RatedMetric[] = RATED_METRICS;

function renderEvaluate(result: EvaluateResult, c: ChalkInstance): string {
  const { record, live, holdout } = result;
  const count = (n: number) => n.toLocaleString('en-US');
  const degraded = new Set(result.degraded.map(({ metric }) => metric));
  const degradedText = (key: RatedMetric, text: string) =>
    (degraded as Set<string>).has(key) ? c.red(text) : text;
  const change = (key: RatedMetric) => {
    const delta = live[key] - holdout[key];
    return degradedText(key, `${delta >= 0 ? '+' : ''}${delta.toFixed(4)}`.padStart(8));
  };
  return [
    `${c.green('✔')} evaluated ${c.bold(result.version)}${result.champion ? ' (champion)' : ''} on ` +
      `${c.bold(record.file)}: ${count(record.rows)} labelled rows` +
      (record.rows < record.rowsRead ? ` of ${count(record.rowsRead)}` : '') +
      `, churn rate ${(record.churnRate * 100).toFixed(1)}%`,
    c.dim(
      `  ${'metric'.padEnd(10)} ${'batch'.padStart(7)} ${'holdout'.padStart(8)} ${'change'.padStart(8)}`,
    ),
    ...ROWS.map(
      (key) =>
        `  ${METRIC_LABELS[key].padEnd(10)} ${c.bold(live[key].toFixed(4).padStart(7))} ` +
        `${holdout[key].toFixed(4).padStart(8)} ${change(key)}`,
    ),
    `  ${'Brier'.padEnd(10)} ${c.bold(live.brierScore.toFixed(4).padStart(7))}`,
    `  ${'log loss'.padEnd(10)} ${c.bold(live.logLoss.toFixed(4).padStart(7))}`,
    result.degraded.length > 0
      ? c.red(
          `  degraded: ${result.degraded.map(({ metric }) => METRIC_LABELS[metric]).join(' and ')} ` +
            `more than ${result.maxDrop} below the holdout's (holdout of ${count(result.holdoutRows)} rows)`,
        )
      : `  within ${result.maxDrop} of the holdout's figures (holdout of ${count(result.holdoutRows)} rows)`,
    `  ${driftLine(result.drift, c)}`,
    c.dim(`  recorded in the history of ${result.version} (churn models show)`),
  ].join('\n');
}
