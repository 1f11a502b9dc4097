import type { Command } from 'commander';
import { displayPath } from '../../common/paths.js';
import type { ExportResult } from '../../jobs/export-metrics.js';
import type { Environment } from '../context.js';
import { addFlags } from '../flags.js';
import type { GroupingFlags } from '../monitored.js';
import { GROUPING, INSTANCE, MODELS_DIR } from '../options.js';

interface ExportFlags extends GroupingFlags {
  textfile?: string;
  stdout?: boolean;
}

export function registerExportMetrics(program: Command, environment: Environment): void {
  const command = program
    .command('export-metrics')
    .description("publish the champion model's metrics and the running totals (for CI jobs)");
  addFlags(command, [
    {
      flags: '--pushgateway <url>',
      description: 'push them to this Pushgateway (a failed push exits 3)',
      key: 'pushgateway.url',
      defaultText: 'none',
    },
    {
      flags: '--textfile <file>',
      description: 'write them to this file (node_exporter textfile format)',
    },
    {
      flags: '--stdout',
      description: 'print them (Prometheus exposition text); the default with no target',
    },
    { ...INSTANCE, description: 'instance label of the pushed group' },
    { ...GROUPING, description: 'another grouping label (repeatable)' },
    MODELS_DIR,
  ])
    .addHelpText(
      'after',
      `
A push replaces the champion's own group, job="churn_champion" (plus --instance, --grouping
and the home label), as a promotion does; it uses the configured timeout, retries, credentials
and CA file. The printed or written exposition adds the running totals of this home.

Examples:
  churn export-metrics --stdout
  churn export-metrics --pushgateway http://pushgateway:9091 --instance ci
  churn export-metrics --textfile /var/lib/node_exporter/churn.prom`,
    )
    .action(async (flags: ExportFlags, cmd: Command) => {
      const { runCommand } = await import('../context.js');
      const { preparePublishing } = await import('../monitored.js');
      const { checkedOutput } = await import('../output-path.js');
      const { exportMetrics } = await import('../../jobs/export-metrics.js');
      const { CHAMPION_GROUP } = await import('../../monitoring/publish.js');
      const { RunState } = await import('../../monitoring/run-state.js');
      await runCommand('export-metrics', cmd, environment, async (context) => {
        const { config, log, out } = context;
        const textfile = flags.textfile
          ? await checkedOutput(
              { flag: '--textfile', given: flags.textfile, fallback: flags.textfile, inputs: [] },
              config,
              environment.cwd,
            )
          : null;
        const url = config.pushgateway.url;
        const publishing =
          url === null
            ? null
            : await preparePublishing(CHAMPION_GROUP, { ...flags, strictPush: true }, context);
        const result = await exportMetrics(
          {
            modelsDir: config.modelsDir,
            state:
              publishing?.state ??
              (await RunState.open(config.metrics.textfileDir, config.metrics.home)),
            textfile,
            push: publishing,
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
      });
    });
}

function renderExport(result: ExportResult, c: import('chalk').ChalkInstance): string {
  const targets = [
    result.textfile ? `wrote ${displayPath(result.textfile)}` : null,
    result.pushed ? 'pushed to the Pushgateway' : null,
  ].filter(Boolean);
  return `${c.green('✔')} metrics of champion ${c.bold(result.modelVersion)}: ${targets.join(', ')}`;
}
