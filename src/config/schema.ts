/**
 * Every configuration key, its type, default and meaning, in one table. Loading, validation,
 * environment variable names and docs/configuration.md all derive from it, so they cannot drift
 * apart.
 */

import type { ForestParams } from '../forest/index.js';

export const LOG_LEVELS = ['error', 'warn', 'success', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Kind =
  | { type: 'string' }
  | { type: 'path' }
  | { type: 'integer'; min: number; max?: number }
  | { type: 'number'; min: number; max: number; exclusive?: boolean }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'maxFeatures' };

export type KeySpec = Kind & {
  default: unknown;
  nullable?: boolean;
  /** Never echoed in an error message. */
  secret?: boolean;
  description: string;
};

export const CONFIG_SCHEMA = {
  'data.train': {
    type: 'path',
    default: null,
    nullable: true,
    description: 'Labelled CSV that `train` learns from and `retrain` merges new rows into.',
  },
  'data.score': {
    type: 'path',
    default: null,
    nullable: true,
    description: 'CSV that `predict` scores when no `--data` is given.',
  },
  'data.target': {
    type: 'string',
    default: null,
    nullable: true,
    description: 'Name of the target column (1 = the customer left).',
  },
  'data.id': {
    type: 'string',
    default: null,
    nullable: true,
    description: 'Name of the id column: carried through to predictions, never a feature.',
  },
  'data.positiveLabel': {
    type: 'string',
    default: null,
    nullable: true,
    description:
      'Target value that means "churned" when it is not one of 1/true/yes/sim/s (any case).',
  },
  'data.maxFieldSize': {
    type: 'integer',
    min: 1024,
    default: 1_000_000,
    description:
      'Longest field or line, in characters, a CSV may have: a longer one is refused with its line, so a corrupt file cannot exhaust memory.',
  },
  'model.trees': {
    type: 'integer',
    min: 1,
    max: 100_000,
    default: 100,
    description: 'Number of trees in the forest.',
  },
  'model.maxDepth': {
    type: 'integer',
    min: 1,
    max: 64,
    default: null,
    nullable: true,
    description:
      'Deepest level a tree may grow to; `null` grows until the leaves are pure or small.',
  },
  'model.minSamplesLeaf': {
    type: 'integer',
    min: 1,
    default: 5,
    description: 'Fewest (bootstrap-weighted) rows a leaf may hold.',
  },
  'model.minSamplesSplit': {
    type: 'integer',
    min: 2,
    default: 2,
    description: 'Fewest rows a node needs before it is split.',
  },
  'model.maxFeatures': {
    type: 'maxFeatures',
    default: 'sqrt',
    description:
      'Features drawn at each node: `sqrt`, `log2`, `all`, a whole number, or a fraction in (0, 1).',
  },
  'model.classWeight': {
    type: 'enum',
    values: ['balanced', 'none'],
    default: 'balanced',
    description:
      '`balanced` weighs each class inversely to its frequency, as churn is the rare one.',
  },
  'model.seed': {
    type: 'integer',
    min: 0,
    max: 4_294_967_295,
    default: 42,
    description: 'Seed for the split, the bootstrap and feature draws: same seed, same model.',
  },
  'model.threads': {
    type: 'integer',
    min: 1,
    max: 256,
    default: null,
    nullable: true,
    description: 'Worker threads that grow trees; `null` uses every available core.',
  },
  'training.testSize': {
    type: 'number',
    min: 0,
    max: 1,
    exclusive: true,
    default: 0.15,
    description: 'Share of the labelled rows held out (stratified) to evaluate the model.',
  },
  'training.beta': {
    type: 'number',
    min: 0,
    max: 100,
    exclusive: true,
    default: 2,
    description: 'Beta of the F-beta score the decision threshold is tuned for (2 weighs recall).',
  },
  'risk.medium': {
    type: 'number',
    min: 0,
    max: 1,
    default: 0.5,
    description: 'Churn probability from which a customer is medium risk (below it: low).',
  },
  'risk.high': {
    type: 'number',
    min: 0,
    max: 1,
    default: 0.7,
    description: 'Churn probability from which a customer is high risk.',
  },
  'drift.warnPsi': {
    type: 'number',
    min: 0,
    max: 10,
    default: 0.2,
    description:
      'Population stability index above which `predict` warns that a feature or the scores drifted.',
  },
  modelsDir: {
    type: 'path',
    default: 'outputs/models',
    description: 'Model registry: one folder per model version and the champion pointer.',
  },
  'registry.signingKey': {
    type: 'string',
    default: null,
    nullable: true,
    secret: true,
    description:
      'Secret key signing every registry document (HMAC-SHA256): with it, documents without a valid signature are refused, so someone able to recompute a checksum still cannot tamper. Set it as `CHURN_REGISTRY_SIGNING_KEY`, not in a file.',
  },
  outputsDir: {
    type: 'path',
    default: 'outputs',
    description: 'Where predictions, reports and job state files are written.',
  },
  'pushgateway.url': {
    type: 'string',
    default: null,
    nullable: true,
    description:
      'Prometheus Pushgateway that `train`, `predict` and `retrain` push their metrics to; `null` pushes nowhere.',
  },
  'pushgateway.timeoutSeconds': {
    type: 'number',
    min: 0,
    max: 600,
    exclusive: true,
    default: 5,
    description: 'Longest wait for the Pushgateway to answer one push attempt.',
  },
  'pushgateway.retries': {
    type: 'integer',
    min: 0,
    max: 10,
    default: 2,
    description: 'Push attempts after the first fails, waiting 0.5 s, 1 s, 2 s … between them.',
  },
  'pushgateway.username': {
    type: 'string',
    default: null,
    nullable: true,
    description: 'Basic-auth user for the Pushgateway.',
  },
  'pushgateway.password': {
    type: 'string',
    default: null,
    nullable: true,
    secret: true,
    description: 'Basic-auth password; better set as `CHURN_PUSHGATEWAY_PASSWORD` than in a file.',
  },
  'pushgateway.token': {
    type: 'string',
    default: null,
    nullable: true,
    secret: true,
    description: 'Bearer token for the Pushgateway (instead of basic auth).',
  },
  'pushgateway.caFile': {
    type: 'path',
    default: null,
    nullable: true,
    description: 'PEM file of the certificate authority that signed an https Pushgateway.',
  },
  'metrics.textfileDir': {
    type: 'path',
    default: 'outputs/metrics',
    description:
      'Where every run writes `<job>.prom` (node_exporter textfile format) and the counters kept across runs.',
  },
  'log.dir': {
    type: 'path',
    default: 'logs',
    description: 'Folder of the daily JSON-lines log files `churn-YYYY-MM-DD.log`.',
  },
  'log.level': {
    type: 'enum',
    values: LOG_LEVELS,
    default: 'info',
    description: 'Least important level logged: error, warn, success, info or debug.',
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

export interface ChurnConfig {
  data: {
    train: string | null;
    score: string | null;
    target: string | null;
    id: string | null;
    positiveLabel: string | null;
    maxFieldSize: number;
  };
  /** The forest's own settings, as `src/forest` defines them. */
  model: Pick<
    ForestParams,
    | 'trees'
    | 'maxDepth'
    | 'minSamplesLeaf'
    | 'minSamplesSplit'
    | 'maxFeatures'
    | 'classWeight'
    | 'seed'
    | 'threads'
  >;
  training: { testSize: number; beta: number };
  risk: { medium: number; high: number };
  drift: { warnPsi: number };
  modelsDir: string;
  outputsDir: string;
  pushgateway: {
    url: string | null;
    timeoutSeconds: number;
    retries: number;
    username: string | null;
    password: string | null;
    token: string | null;
    caFile: string | null;
  };
  metrics: { textfileDir: string };
  log: { dir: string; level: LogLevel };
  registry: { signingKey: string | null };
}

/** `model.maxDepth` is read from `CHURN_MODEL_MAX_DEPTH`. */
export function envVarName(key: string): string {
  return (
    'CHURN_' +
    key
      .split('.')
      .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
      .join('_')
  );
}
