import { Command } from 'commander';
import { churnVersion } from '../common/version.js';
import type { Environment } from './context.js';
import { EXIT_CODES } from './exit-codes.js';
import { addFlags, optionHelp } from './flags.js';
import { GLOBAL_FLAGS } from './options.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExportMetrics } from './commands/export-metrics.js';
import { registerGenerate } from './commands/generate.js';
import { registerModels } from './commands/models.js';
import { registerPredict } from './commands/predict.js';
import { registerReport } from './commands/report.js';
import { registerRetrain } from './commands/retrain.js';
import { registerServe } from './commands/serve.js';
import { registerTrain } from './commands/train.js';

const PROGRAM_HELP = `
Examples:
  churn train                                  train on data.train and make the model champion
  churn predict --data data/new_batch_1.csv    score a file with the champion
  churn retrain --data data/new_batch_2.csv    a challenger on the merged rows, promoted if better
  churn evaluate --data data/new_batch_2.csv   the champion on labelled rows, against its holdout
  churn models list                            the registry's versions, the champion starred
  churn report --out outputs/report.html       the champion's report as one HTML page
  churn export-metrics --stdout                the champion's metrics in Prometheus text
  churn serve --port 8000                      the champion over HTTP, /metrics for Prometheus
  churn train --help                           a command's options, with their defaults

Configuration: built-in defaults < churn.config.json < CHURN_* environment variables < flags.
The defaults shown are the built-in ones.

Exit codes:
${EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(5)}${meaning}`).join('\n')}

See docs/cli.md and docs/configuration.md.`;

export function createProgram(environment: Environment): Command {
  const program = new Command('churn')
    .description(
      'Train, score and retrain customer-churn models from CSV files, with every run observable ' +
        'through a Prometheus Pushgateway, alert rules and Grafana dashboards.',
    )
    .version(churnVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    // Errors are thrown, not printed: the boundary in main.ts prints them as one line.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => environment.streams.stdout.write(text),
      writeErr: (text) => environment.streams.stderr.write(text),
      outputError: () => undefined,
    })
    .configureHelp({
      showGlobalOptions: true,
      sortSubcommands: true,
      optionDescription: optionHelp,
    })
    .addHelpText('after', PROGRAM_HELP);
  addFlags(program, GLOBAL_FLAGS);

  // Subcommands inherit the settings above when they are created, so register them last.
  registerGenerate(program, environment);
  registerTrain(program, environment);
  registerPredict(program, environment);
  registerRetrain(program, environment);
  registerEvaluate(program, environment);
  registerModels(program, environment);
  registerReport(program, environment);
  registerExportMetrics(program, environment);
  registerServe(program, environment);
  return program;
}
