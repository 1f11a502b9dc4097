/**
 * The flags more than one command takes, each declared once (see flags.ts). A command's own
 * flags are declared in its file.
 */
import { LOG_LEVELS } from '../config/schema.js';
import type { FlagDeclaration } from './flags.js';
import { delimiterArg, groupingArg, listArg } from './parse.js';

/** Every command's: the program's own options. */
export const GLOBAL_FLAGS: FlagDeclaration[] = [
  {
    flags: '--config <file>',
    description: 'configuration file',
    defaultText: 'the nearest churn.config.json, here or above',
  },
  {
    flags: '--log-level <level>',
    description: 'least important level logged',
    key: 'log.level',
    choices: LOG_LEVELS,
  },
  {
    flags: '--log-dir <dir>',
    description: 'folder of the daily JSON-lines log files',
    key: 'log.dir',
  },
  { flags: '--json', description: 'print one JSON document on stdout and nothing else there' },
  {
    flags: '--quiet',
    description: 'no progress bars or console logs; results and errors still print',
  },
  { flags: '--no-color', description: 'no colours (also: the NO_COLOR environment variable)' },
];

export const MODELS_DIR: FlagDeclaration = {
  flags: '--models-dir <dir>',
  description: 'model registry folder',
  key: 'modelsDir',
};

export const DELIMITER: FlagDeclaration = {
  flags: '--delimiter <char>',
  description: 'field separator: , ; tab |',
  defaultText: 'detected',
  parse: delimiterArg,
};

export const THREADS: FlagDeclaration = {
  flags: '--threads <n>',
  description: 'worker threads',
  key: 'model.threads',
  defaultText: 'every core',
};

export const TEST_SIZE: FlagDeclaration = {
  flags: '--test-size <share>',
  description: 'share of rows held out to evaluate the model',
  key: 'training.testSize',
};

/** How a labelled file reads: `train` and `retrain`. */
export const LABELLED_DATA_FLAGS: FlagDeclaration[] = [
  {
    flags: '--target <column>',
    description: 'target column: 1/0, true/false, yes/no, sim/não, s/n',
    key: 'data.target',
    defaultText: 'data.target from the configuration',
  },
  {
    flags: '--id <column>',
    description: 'id column: carried, never a feature',
    key: 'data.id',
    defaultText: 'data.id from the configuration',
  },
  {
    flags: '--positive-label <value>',
    description: 'target value meaning churned',
    key: 'data.positiveLabel',
    defaultText: 'a usual yes: 1, true, yes, y, sim, s',
  },
  {
    flags: '--categorical <columns>',
    description: 'columns to read as categories (comma-separated)',
    parse: listArg,
  },
  {
    flags: '--numeric <columns>',
    description: 'columns to read as numbers (comma-separated)',
    parse: listArg,
  },
  DELIMITER,
];

/** Where a run's metrics are pushed: `train`, `predict` and `retrain`. */
export const INSTANCE: FlagDeclaration = {
  flags: '--instance <name>',
  description: 'instance label of the pushed group (multi-host runs)',
};

export const GROUPING: FlagDeclaration = {
  flags: '--grouping <label=value>',
  description: 'another grouping label of the pushed group (repeatable)',
  parse: groupingArg,
};

export const PUSH_FLAGS: FlagDeclaration[] = [
  {
    flags: '--pushgateway <url>',
    description: 'Pushgateway to push metrics to',
    key: 'pushgateway.url',
    defaultText: 'none, the textfile only',
  },
  INSTANCE,
  GROUPING,
  { flags: '--strict-push', description: 'fail (exit code 3) when the metrics cannot be pushed' },
];
