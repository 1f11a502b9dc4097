import type { ChalkInstance } from 'chalk';
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import type { Delimiter } from '../../data/delimiter.js';
import type { ReportResult } from '../../jobs/report.js';
import type { Environment } from '../context.js';
import { addFlags } from '../flags.js';
import { DELIMITER, MODELS_DIR } from '../options.js';

interface ReportFlags {
  model?: string;
  data?: string;
  out?: string;
  delimiter?: Delimiter;
}

export function registerReport(program: Command, environment: Environment): void {
  const command = program
    .command('report')
    .description("write a model's report: one self-contained HTML page of charts and metrics");
  addFlags(command, [
    {
      flags: '--model <version|path>',
      description: 'model version or model file',
      defaultText: 'the champion',
    },
    MODELS_DIR,
    {
      flags: '--data <file>',
      description: 'labelled CSV to evaluate the model on and measure drift against',
    },
    { ...DELIMITER, description: 'field separator of --data: , ; tab |' },
    {
      flags: '--out <file>',
      description: 'HTML file, replaced atomically',
      defaultText: '<outputsDir>/report.html',
    },
  ])
    .addHelpText(
      'after',
      `
The report holds the ROC and precision-recall curves, the confusion matrix at the model's
threshold, the score distribution by class, the feature importances and the metrics with the
course's ratings; with --data, the same on that file beside the holdout's, and its drift.
churn train and churn retrain also save one as report.html in each model's version folder.

Examples:
  churn report --out outputs/report.html
  churn report --model 20261126-223108-123-a1b2 --data data/new_batch_2.csv --out drift.html`,
    )
    .action(async (flags: ReportFlags, cmd: Command) => {
      const { runCommand } = await import('../context.js');
      const { checkedOutput } = await import('../output-path.js');
      const { writeReport } = await import('../../jobs/report.js');
      await runCommand('report', cmd, environment, async ({ config, log, out }) => {
        const data = flags.data ? resolve(environment.cwd, flags.data) : undefined;
        const target = await checkedOutput(
          {
            flag: '--out',
            given: flags.out,
            fallback: join(config.outputsDir, 'report.html'),
            inputs: [data, flags.model],
          },
          config,
          environment.cwd,
        );
        const result = await writeReport(
          {
            model: flags.model,
            modelsDir: config.modelsDir,
            data,
            delimiter: flags.delimiter,
            maxFieldSize: config.data.maxFieldSize,
            out: target,
            cwd: environment.cwd,
            driftWarnPsi: config.drift.warnPsi,
          },
          log,
        );
        out.result(result, renderReportResult);
      });
    });
}

function renderReportResult(result: ReportResult, c: ChalkInstance): string {
  const lines = [
    `${c.green('✔')} wrote the report of ${c.bold(result.version)} to ${c.bold(result.out)}`,
  ];
  for (const set of result.sets) {
    lines.push(
      `  ${set.title}: ${set.rows.toLocaleString('en-US')} rows, ROC AUC ${set.metrics.rocAuc.toFixed(4)}, F2 ${set.metrics.f2.toFixed(4)}`,
    );
  }
  if (result.drift) {
    const top = Object.entries(result.drift)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    lines.push(
      `  most drifted: ${top.map(([name, psi]) => `${name} ${psi.toFixed(3)}`).join(', ')}`,
    );
  }
  return lines.join('\n');
}
