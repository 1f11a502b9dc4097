import type { Command } from 'commander';
import { resolve } from 'node:path';
import { displayPath } from '../../common/paths.js';
import { EXPORT_JOB, exportMetrics, type ExportResult } from '../../jobs/export-metrics.js';
import { runCommand, type Environment, type FlagMap } from '../context.js';
import { groupingArg, groupingOf, type GroupingFlags } from '../monitored.js';

interface ExportFlags extends GroupingFlags {
  textfile?: string;
  stdout?: boolean;
}

const EXPORT_FLAGS: FlagMap = [
  ['pushgateway', 'pushgateway.url', '--pushgateway'],
  ['modelsDir', 'modelsDir', '--models-dir'],
];

export function registerExportMetrics(program: Command, environment: Environment): void {
  program
    .command('export-metrics')
    .description("publish the champion model's metrics and the running totals (for CI jobs)")
    .option('--pushgateway <url>', 'push them to this Pushgateway (a failed push exits 3)')
    .option('--textfile <file>', 'write them to this file (node_exporter textfile format)')
    .option('--stdout', 'print them (Prometheus exposition text); the default with no target')
    .option('--instance <name>', 'instance label of the pushed group')
    .option('--grouping <label=value>', 'another grouping label (repeatable)', groupingArg)
    .option('--models-dir <dir>', 'model registry folder')
    .addHelpText(
      'after',
      `
The pushed group is job="${EXPORT_JOB}" (plus --instance / --grouping); a push uses the
configured timeout, retries, credentials and CA file.

Examples:
  churn export-metrics --stdout
  churn export-metrics --pushgateway http://pushgateway:9091 --instance ci
  churn export-metrics --textfile /var/lib/node_exporter/churn.prom`,
    )
    .action(async (flags: ExportFlags, cmd: Command) => {
      await runCommand(
        'export-metrics',
        cmd,
        environment,
        EXPORT_FLAGS,
        async ({ config, log, out }) => {
          const grouping = groupingOf(flags);
          const textfile = flags.textfile ? resolve(environment.cwd, flags.textfile) : null;
          const url = config.pushgateway.url;
          const result = await exportMetrics(
            {
              modelsDir: config.modelsDir,
              stateDir: config.metrics.textfileDir,
              textfile,
              push:
                url === null
                  ? null
                  : {
                      job: EXPORT_JOB,
                      pushgateway: config.pushgateway,
                      grouping,
                      textfileDir: config.metrics.textfileDir,
                      strict: true,
                    },
            },
            log,
          );
          const toStdout = flags.stdout === true || (textfile === null && url === null);
          if (toStdout && !out.json) {
            out.streams.stdout.write(result.exposition);
            return;
          }
          out.result(result, renderExport, ({ modelVersion, textfile: file, pushed }) => ({
            modelVersion,
            textfile: file,
            pushed,
            ...(toStdout ? { exposition: result.exposition } : {}),
          }));
        },
      );
    });
}

function renderExport(result: ExportResult, c: import('chalk').ChalkInstance): string {
  const targets = [
    result.textfile ? `wrote ${displayPath(result.textfile)}` : null,
    result.pushed ? 'pushed to the Pushgateway' : null,
  ].filter(Boolean);
  return `${c.green('✔')} metrics of champion ${c.bold(result.modelVersion)}: ${targets.join(', ')}`;
}
