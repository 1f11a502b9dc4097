import type { ChalkInstance } from 'chalk';
import { dirname, join } from 'node:path';
import { REPORT_FILE } from '../../registry/registry.js';
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { displayPath } from '../../common/paths.js';
import type { Delimiter } from '../../data/delimiter.js';
import { trainModel, type TrainResult } from '../../jobs/train.js';
import { type Environment, type FlagMap } from '../context.js';
import { addPushOptions, runMonitored } from '../monitored.js';
import { addDataOptions } from '../options.js';
import { progressBar } from '../progress.js';
import { confusionTable, metricsTable } from '../render/metrics.js';

interface TrainFlags {
  categorical?: string[];
  numeric?: string[];
  delimiter?: Delimiter;
}

/** Flags that set configuration keys, so they validate like the file and environment do. */
export const TRAIN_FLAGS: FlagMap = [
  ['data', 'data.train', '--data'],
  ['target', 'data.target', '--target'],
  ['id', 'data.id', '--id'],
  ['positiveLabel', 'data.positiveLabel', '--positive-label'],
  ['trees', 'model.trees', '--trees'],
  ['maxDepth', 'model.maxDepth', '--max-depth'],
  ['minSamplesLeaf', 'model.minSamplesLeaf', '--min-samples-leaf'],
  ['minSamplesSplit', 'model.minSamplesSplit', '--min-samples-split'],
  ['maxFeatures', 'model.maxFeatures', '--max-features'],
  ['classWeight', 'model.classWeight', '--class-weight'],
  ['seed', 'model.seed', '--seed'],
  ['threads', 'model.threads', '--threads'],
  ['testSize', 'training.testSize', '--test-size'],
  ['beta', 'training.beta', '--beta'],
  ['modelsDir', 'modelsDir', '--models-dir'],
];

/** The forest's and the evaluation's settings. */
function addModelOptions(command: Command): Command {
  return command
    .option('--trees <n>', 'number of trees')
    .option('--max-depth <n>', 'deepest level a tree grows to (default: unlimited)')
    .option('--min-samples-leaf <n>', 'fewest rows a leaf may hold')
    .option('--min-samples-split <n>', 'fewest rows a node needs to be split')
    .option('--max-features <v>', 'features tried per node: sqrt, log2, all, N or a fraction')
    .option('--class-weight <mode>', 'balanced or none')
    .option('--test-size <share>', 'share of rows held out to evaluate the model')
    .option('--seed <n>', 'seed of the split and the forest: same seed, same model')
    .option('--threads <n>', 'worker threads (default: every core)')
    .option('--beta <f>', 'beta of the F-beta score the threshold is tuned for')
    .option('--models-dir <dir>', 'model registry folder');
}

export function registerTrain(program: Command, environment: Environment): void {
  const command = program
    .command('train')
    .description('train a churn model on a labelled CSV and make it the champion')
    .option('--data <file>', 'labelled CSV (default: data.train from the configuration)');
  addPushOptions(addModelOptions(addDataOptions(command)))
    .addHelpText(
      'after',
      `
Examples:
  churn train                                   the shipped sample data, per churn.config.json
  churn train --data customers.csv --target churned --id customer_id
  churn train --data export.csv --target status --positive-label Closed --trees 300 --json`,
    )
    .action(async (flags: TrainFlags, cmd: Command) => {
      await runMonitored(
        'train',
        'churn_train',
        cmd,
        environment,
        TRAIN_FLAGS,
        async ({ config, log, out }, metrics) => {
          const { data } = config;
          if (data.train === null) {
            throw new UsageError('no training data: pass --data FILE or set data.train');
          }
          if (data.target === null) {
            throw new UsageError('no target column: pass --target COLUMN or set data.target');
          }
          const progress = progressBar(out, 'growing trees', config.model.trees, 'trees');
          const result = await trainModel(
            {
              data: data.train,
              target: data.target,
              id: data.id,
              positiveLabel: data.positiveLabel,
              categorical: flags.categorical,
              numeric: flags.numeric,
              delimiter: flags.delimiter,
              maxFieldSize: config.data.maxFieldSize,
              model: config.model,
              testSize: config.training.testSize,
              beta: config.training.beta,
              modelsDir: config.modelsDir,
              onTree: (done) => progress.update(done),
            },
            log,
          );
          progress.finish();
          metrics.recordModel(result);
          out.result(result, renderTrain, trainJson);
        },
      );
    });
}

/** The documented `--json` shape. */
function trainJson(result: TrainResult) {
  return {
    version: result.version,
    modelPath: result.modelPath,
    samples: result.samples,
    trainingSeconds: result.trainingSeconds,
    metrics: result.metrics,
  };
}

function renderTrain(result: TrainResult, c: ChalkInstance): string {
  return [
    `${c.green('✔')} trained ${c.bold(result.version)} on ${result.samples.toLocaleString('en-US')} ` +
      `rows in ${result.trainingSeconds.toFixed(2)}s; evaluated on ` +
      `${result.holdoutRows.toLocaleString('en-US')} held-out rows:`,
    '',
    metricsTable(result.metrics, result.ratings, c),
    '',
    confusionTable(result.confusionMatrix, c),
    '',
    `champion: ${c.bold(displayPath(result.modelPath))}`,
    `report:   ${displayPath(join(dirname(result.modelPath), REPORT_FILE))}`,
  ].join('\n');
}
