import type { ChalkInstance } from 'chalk';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { displayPath } from '../../common/paths.js';
import type { Delimiter } from '../../data/delimiter.js';
import type { TrainResult } from '../../jobs/train.js';
import type { Environment } from '../context.js';
import { addFlags, type FlagDeclaration } from '../flags.js';
import { LABELLED_DATA_FLAGS, MODELS_DIR, PUSH_FLAGS, TEST_SIZE, THREADS } from '../options.js';
import { progressBar } from '../progress.js';
import { confusionTable, metricsTable } from '../render/metrics.js';

interface TrainFlags {
  categorical?: string[];
  numeric?: string[];
  delimiter?: Delimiter;
  tune?: boolean;
}

/** The forest's and the evaluation's settings. */
const MODEL_FLAGS: FlagDeclaration[] = [
  { flags: '--trees <n>', description: 'number of trees', key: 'model.trees' },
  {
    flags: '--max-depth <n>',
    description: 'deepest level a tree grows to',
    key: 'model.maxDepth',
    defaultText: 'unlimited',
  },
  {
    flags: '--min-samples-leaf <n>',
    description: 'fewest rows a leaf may hold',
    key: 'model.minSamplesLeaf',
  },
  {
    flags: '--min-samples-split <n>',
    description: 'fewest rows a node needs to be split',
    key: 'model.minSamplesSplit',
  },
  {
    flags: '--max-features <v>',
    description: 'features tried per node: sqrt, log2, all, N or a fraction',
    key: 'model.maxFeatures',
  },
  { flags: '--class-weight <mode>', description: 'balanced or none', key: 'model.classWeight' },
  TEST_SIZE,
  {
    flags: '--seed <n>',
    description: 'seed of the split and the forest: same seed, same model',
    key: 'model.seed',
  },
  THREADS,
  {
    flags: '--beta <f>',
    description: 'beta of the F-beta score the threshold is tuned for',
    key: 'training.beta',
  },
  MODELS_DIR,
];

export function registerTrain(program: Command, environment: Environment): void {
  const command = program
    .command('train')
    .description('train a churn model on a labelled CSV and make it the champion');
  addFlags(command, [
    {
      flags: '--data <file>',
      description: 'labelled CSV or Parquet file, or - for stdin',
      key: 'data.train',
      defaultText: 'data.train from the configuration',
    },
    ...LABELLED_DATA_FLAGS,
    ...MODEL_FLAGS,
    {
      flags: '--tune',
      description:
        'grow a forest per leaf size and features per node of a small grid and keep the best out of bag (8 fits)',
    },
    ...PUSH_FLAGS,
  ])
    .addHelpText(
      'after',
      `
Examples:
  churn train                                   the shipped sample data, per churn.config.json
  churn train --data customers.csv --target churned --id customer_id
  churn train --data export.csv --target status --positive-label Closed --trees 300 --json`,
    )
    .action(async (flags: TrainFlags, cmd: Command) => {
      const { runMonitored } = await import('../monitored.js');
      const { trainModel } = await import('../../jobs/train.js');
      const { warnWeakChampion } = await import('../../jobs/live-quality.js');
      await runMonitored(
        'train',
        'churn_train',
        cmd,
        environment,
        async ({ config, log, out }, metrics) => {
          const { data } = config;
          if (data.train === null) {
            throw new UsageError('no training data: pass --data FILE or set data.train');
          }
          if (data.target === null) {
            throw new UsageError('no target column: pass --target COLUMN or set data.target');
          }
          // Tuning grows one forest per setting of its grid: its trees have no single total.
          const progress = progressBar(
            out,
            'growing trees',
            flags.tune ? 0 : config.model.trees,
            'trees',
          );
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
              calibration: config.training.calibration,
              tune: flags.tune === true,
              modelsDir: config.modelsDir,
              onTree: (done) => progress.update(done),
            },
            log,
          );
          progress.finish();
          warnWeakChampion(result.metrics, config.quality, result.version, log);
          metrics.championChanged = true;
          const { REPORT_FILE } = await import('../../registry/registry.js');
          const report = join(dirname(result.modelPath), REPORT_FILE);
          out.result(result, (shown, c) => renderTrain(shown, report, c), trainJson);
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
    calibration: result.calibration,
    tuning: result.tuning,
  };
}

function renderTrain(result: TrainResult, report: string, c: ChalkInstance): string {
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
    `report:   ${displayPath(report)}`,
  ].join('\n');
}
