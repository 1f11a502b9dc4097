import { Command, Option } from 'commander';
import { churnVersion } from '../common/version.js';
import { LOG_LEVELS } from '../config/schema.js';
import type { Environment } from './context.js';
import { registerExportMetrics } from './commands/export-metrics.js';
import { registerGenerate } from './commands/generate.js';
import { registerModels } from './commands/models.js';
import { registerPredict } from './commands/predict.js';
import { registerReport } from './commands/report.js';
import { registerRetrain } from './commands/retrain.js';
import { registerTrain } from './commands/train.js';

export function createProgram(environment: Environment): Command {
  const program = new Command('churn')
    .description(
      'Train, score and retrain customer-churn models from CSV files, with every run observable ' +
        'through a Prometheus Pushgateway, alert rules and Grafana dashboards.',
    )
    .version(churnVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .option('--config <file>', 'configuration file (default: ./churn.config.json when present)')
    .addOption(
      new Option('--log-level <level>', 'least important level logged').choices(LOG_LEVELS),
    )
    .option('--log-dir <dir>', 'folder for the daily JSON-lines log files')
    .option('--json', 'print one JSON document on stdout and nothing else there')
    .option('--quiet', 'no progress bars or console logs; results and errors still print')
    .option('--no-color', 'no colours (also: the NO_COLOR environment variable)')
    .showSuggestionAfterError(true)
    // Errors are thrown, not printed: the boundary in main.ts prints them as one line.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => environment.streams.stdout.write(text),
      writeErr: (text) => environment.streams.stderr.write(text),
      outputError: () => undefined,
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: true })
    .addHelpText(
      'after',
      `
Configuration: built-in defaults < churn.config.json < CHURN_* environment variables < flags.
Exit codes: 0 success, 2 bad usage or input, 3 metrics not pushed (--strict-push), 4 retrain locked by another run, 1 any other failure.
See docs/cli.md and docs/configuration.md.`,
    );

  // Subcommands inherit the settings above when they are created, so register them last.
  registerGenerate(program, environment);
  registerTrain(program, environment);
  registerPredict(program, environment);
  registerRetrain(program, environment);
  registerModels(program, environment);
  registerReport(program, environment);
  registerExportMetrics(program, environment);
  return program;
}
