/**
 * Every configuration key, its zod schema, default and meaning, in one table. Validation, the
 * `ChurnConfig` type, environment variable names and docs/configuration.md all derive from it,
 * so they cannot drift apart. Each schema is built on first use (`schema(z)`), so a command that
 * needs no configuration (`--help`, `--version`) never loads zod.
 */
import type { z as Zod } from 'zod';
import type { ExplainMethod } from '../forest/index.js';

export const LOG_LEVELS = ['error', 'warn', 'success', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The forest's explanation methods, spelled out: loading the configuration must not load it. */
export const EXPLAIN_METHOD_NAMES = ['exact', 'fast'] as const satisfies readonly ExplainMethod[];

export interface KeySpec {
  schema: (z: typeof Zod) => Zod.ZodType;
  default: unknown;
  /** A path: a relative one is resolved against the file that gave it, or the working directory. */
  path?: boolean;
  /** Never echoed in an error message. */
  secret?: boolean;
  /** How a bad value is shown in an error, when not as JSON. */
  shown?: (value: unknown) => string;
  /** What an error says the key accepts, when the schema alone does not say it well. */
  accepts?: string;
  description: string;
}

export const CONFIG_SCHEMA = {
  'data.train': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    path: true,
    description: 'Labelled CSV that `train` learns from and `retrain` merges new rows into.',
  },
  'data.score': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    path: true,
    description: 'CSV that `predict` scores when no `--data` is given.',
  },
  'data.target': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    description: 'Name of the target column (1 = the customer left).',
  },
  'data.id': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    description: 'Name of the id column: carried through to predictions, never a feature.',
  },
  'data.positiveLabel': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    description:
      'Target value that means "churned" when it is not one of 1/true/yes/sim/s (any case).',
  },
  'data.maxFieldSize': {
    schema: (z) => z.int().min(1024),
    default: 1_000_000,
    description:
      'Longest field or line, in characters, a CSV may have: a longer one is refused with its line, so a corrupt file cannot exhaust memory.',
  },
  'model.trees': {
    schema: (z) => z.int().min(1).max(100_000),
    default: 100,
    description: 'Number of trees in the forest.',
  },
  'model.maxDepth': {
    schema: (z) => z.int().min(1).max(64).nullable(),
    default: null,
    description:
      'Deepest level a tree may grow to; `null` grows until the leaves are pure or small.',
  },
  'model.minSamplesLeaf': {
    schema: (z) => z.int().min(1),
    default: 10,
    description:
      'Fewest distinct rows a leaf may hold (10 scored best over the benchmark data sets, see docs/model.md).',
  },
  'model.minSamplesSplit': {
    schema: (z) => z.int().min(2),
    default: 2,
    description: 'Fewest rows a node needs before it is split.',
  },
  'model.maxFeatures': {
    schema: (z) =>
      z.union([z.enum(['sqrt', 'log2', 'all']), z.number().gt(0).lt(1), z.int().min(1)]),
    default: 'sqrt',
    accepts: 'sqrt, log2, all, a whole number of features, or a fraction between 0 and 1',
    description:
      'Features drawn at each node: `sqrt`, `log2`, `all`, a whole number, or a fraction in (0, 1).',
  },
  'model.classWeight': {
    schema: (z) => z.enum(['balanced', 'none']),
    default: 'none',
    description:
      '`balanced` weighs each class inversely to its frequency; `none` ranks as well or better on the benchmark data sets, and the tuned threshold already favours the rare class.',
  },
  'model.minCategoryRows': {
    schema: (z) => z.int().min(1),
    default: 10,
    description:
      'Categories with fewer rows than this in a node are grouped there before the split is chosen, so a column of many small categories does not overfit.',
  },
  'model.seed': {
    schema: (z) => z.int().min(0).max(4_294_967_295),
    default: 42,
    description: 'Seed for the split, the bootstrap and feature draws: same seed, same model.',
  },
  'model.threads': {
    schema: (z) => z.int().min(1).max(256).nullable(),
    default: null,
    description: 'Worker threads that grow trees; `null` uses every available core.',
  },
  'training.testSize': {
    schema: (z) => z.number().gt(0).lt(1),
    default: 0.15,
    description: 'Share of the labelled rows held out (stratified) to evaluate the model.',
  },
  'training.beta': {
    schema: (z) => z.number().gt(0).lt(100),
    default: 2,
    description: 'Beta of the F-beta score the decision threshold is tuned for (2 weighs recall).',
  },
  'training.calibration': {
    schema: (z) => z.enum(['platt', 'isotonic', 'identity']),
    default: 'platt',
    description:
      "How the forest's probabilities are calibrated on its out-of-bag predictions: `platt` (a logistic curve), `isotonic` (a monotone step fit) or `identity` (not at all).",
  },
  'risk.medium': {
    schema: (z) => z.number().min(0).max(1).nullable(),
    default: null,
    description:
      "Churn probability from which a customer is medium risk (below it: low); `null` is the model's decision threshold, so every customer predicted to churn is medium or high.",
  },
  'risk.high': {
    schema: (z) => z.number().min(0).max(1),
    default: 0.5,
    description:
      'Calibrated churn probability from which a customer is high risk (never below the medium cutoff).',
  },
  'quality.minRocAuc': {
    schema: (z) => z.number().min(0).max(1),
    default: 0.75,
    description:
      "ROC AUC on the holdout rows below which a new model is reported weak; the `LowAUC` alert fires below the same default for the champion (the course's limit).",
  },
  'quality.minF2': {
    schema: (z) => z.number().min(0).max(1),
    default: 0.7,
    description:
      "F2 score on the holdout rows below which a new model is reported weak; the `LowF2Score` alert fires below the same default for the champion (the course's limit).",
  },
  'quality.maxDrop': {
    schema: (z) => z.number().min(0).max(1),
    default: 0.05,
    description:
      'How far the ROC AUC or F2 of a model on a labelled batch may fall below its holdout figure before `evaluate` reports it degraded; the `ModelPerformanceDegraded` alert uses the same default (docs/monitoring.md says why 0.05).',
  },
  'drift.warnPsi': {
    schema: (z) => z.number().min(0).max(10),
    default: 0.25,
    description:
      'Population stability index above which a batch is reported drifted on a feature or on its scores; the `FeatureDrift` and `ScoreDrift` alerts fire above the same default (above 0.25 is the usual "significant shift").',
  },
  'drift.wasserstein': {
    schema: (z) => z.number().min(0).max(100),
    default: 0.1,
    description:
      "Wasserstein distance, in training standard deviations, from which a numeric feature counts as drifted (Evidently's default: a tenth of a standard deviation of the whole distribution moved).",
  },
  'drift.jensenShannon': {
    schema: (z) => z.number().min(0).max(1),
    default: 0.1,
    description:
      "Jensen-Shannon distance (base 2, 0 to 1) from which a categorical feature, or a number with five values or fewer, counts as drifted (Evidently's default).",
  },
  'drift.share': {
    schema: (z) => z.number().min(0).max(1),
    default: 0.5,
    description:
      "Share of drifted features from which a batch counts as drifted as a whole; the `DatasetDrift` alert fires from the same default (Evidently's default: half the features).",
  },
  'explain.method': {
    schema: (z) => z.enum(EXPLAIN_METHOD_NAMES),
    default: 'exact',
    description:
      'How `predict --explain` and `--contributions` explain scores: `exact` TreeSHAP (Shapley values; 30 to 1,000 times the cost of scoring, growing with the trees) or `fast` path attribution (about 1.4 times the scoring walk, for millions of rows).',
  },
  modelsDir: {
    schema: (z) => z.string().min(1),
    default: 'outputs/models',
    path: true,
    description: 'Model registry: one folder per model version and the champion pointer.',
  },
  'registry.signingKey': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    secret: true,
    description:
      'Secret key signing every registry document (HMAC-SHA256): with it, documents without a valid signature are refused, so someone able to recompute a checksum still cannot tamper. Set it as `CHURN_REGISTRY_SIGNING_KEY`, not in a file.',
  },
  outputsDir: {
    schema: (z) => z.string().min(1),
    default: 'outputs',
    path: true,
    description: 'Where predictions, reports and job state files are written.',
  },
  'pushgateway.url': {
    schema: (z) => z.url({ protocol: /^https?$/, hostname: /./ }).nullable(),
    default: null,
    accepts: 'an http or https URL',
    shown: withoutCredentials,
    description:
      'Prometheus Pushgateway that `train`, `predict` and `retrain` push their metrics to; `null` pushes nowhere.',
  },
  'pushgateway.timeoutSeconds': {
    schema: (z) => z.number().gt(0).lt(600),
    default: 5,
    description: 'Longest wait for the Pushgateway to answer one push attempt.',
  },
  'pushgateway.retries': {
    schema: (z) => z.int().min(0).max(10),
    default: 2,
    description: 'Push attempts after the first fails, waiting 0.5 s, 1 s, 2 s … between them.',
  },
  'pushgateway.username': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    description: 'Basic-auth user for the Pushgateway.',
  },
  'pushgateway.password': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    secret: true,
    description: 'Basic-auth password; better set as `CHURN_PUSHGATEWAY_PASSWORD` than in a file.',
  },
  'pushgateway.token': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    secret: true,
    description: 'Bearer token for the Pushgateway (instead of basic auth).',
  },
  'pushgateway.caFile': {
    schema: (z) => z.string().min(1).nullable(),
    default: null,
    path: true,
    description: 'PEM file of the certificate authority that signed an https Pushgateway.',
  },
  'metrics.textfileDir': {
    schema: (z) => z.string().min(1),
    default: 'outputs/metrics',
    path: true,
    description:
      'Where every run writes `<job>.prom` (node_exporter textfile format) and the counters kept across runs.',
  },
  'metrics.home': {
    schema: (z) =>
      z
        .string()
        .regex(/^[\w.-]+$/, 'is not a home name: letters, digits, _, . and - only')
        .nullable(),
    default: null,
    description:
      'Value of the `home` label on every group pushed from this `metrics.textfileDir`, which keeps its own running totals; `null` names it once after the host (e.g. `ana-laptop-3f9a2c`) and records the name in its `state.json`.',
  },
  'serve.host': {
    schema: (z) => z.string().min(1),
    default: '127.0.0.1',
    description:
      'Address `churn serve` listens on: `127.0.0.1` for this machine only, `0.0.0.0` for every interface (behind a proxy or in a container).',
  },
  'serve.port': {
    schema: (z) => z.int().min(0).max(65535),
    default: 8000,
    description: 'Port `churn serve` listens on; `0` takes a free one and prints it.',
  },
  'serve.maxBodyBytes': {
    schema: (z) => z.int().min(1024),
    default: 1_048_576,
    description:
      'Largest request body `churn serve` reads, in bytes (about 4,000 customers as JSON); a larger one is answered 413.',
  },
  'serve.maxBufferedBytes': {
    schema: (z) => z.int().min(1024),
    default: 67_108_864,
    description:
      'Request-body bytes `churn serve` holds at once over all connections; a request that would pass it is answered 503 with Retry-After, so memory stays bounded however many clients send at once.',
  },
  'serve.maxConnections': {
    schema: (z) => z.int().min(1),
    default: 16_384,
    description:
      'Connections `churn serve` keeps open at once; more are answered 503 and closed. Keep it below the open-files limit (`ulimit -n`).',
  },
  'serve.headersTimeoutSeconds': {
    schema: (z) => z.number().gt(0).max(3600),
    default: 10,
    description: 'Longest wait for a request’s headers; a slower client is answered 408.',
  },
  'serve.bodyTimeoutSeconds': {
    schema: (z) => z.number().gt(0).max(3600),
    default: 30,
    description: 'Longest wait for a request’s body once its headers arrived; then 408.',
  },
  'serve.keepAliveSeconds': {
    schema: (z) => z.number().gt(0).max(3600),
    default: 5,
    description: 'How long an idle keep-alive connection stays open.',
  },
  'serve.shutdownSeconds': {
    schema: (z) => z.number().min(0).max(3600),
    default: 10,
    description:
      'On SIGTERM or Ctrl-C, how long the requests in flight get to finish before their connections are closed.',
  },
  'serve.watchSeconds': {
    schema: (z) => z.number().gt(0).max(3600),
    default: 2,
    description:
      'How often `churn serve` reads the champion pointer again (it also watches the registry folder): a promotion is served within this long.',
  },
  'log.dir': {
    schema: (z) => z.string().min(1),
    default: 'logs',
    path: true,
    description: 'Folder of the daily JSON-lines log files `churn-YYYY-MM-DD.log`.',
  },
  'log.level': {
    schema: (z) => z.enum(LOG_LEVELS),
    default: 'info',
    description: 'Least important level logged: error, warn, success, info or debug.',
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

/** The value a key holds once validated. */
export type ConfigValue<K extends ConfigKey> = Zod.output<
  ReturnType<(typeof CONFIG_SCHEMA)[K]['schema']>
>;

/** `{ 'a.b': X, c: Y }` → `{ a: { b: X }, c: Y }`. */
type Nested<T> = {
  [
    K in keyof T as K extends `${infer Head}.${string}` ? Head : K
  ]: K extends `${infer Head}.${string}`
    ? Nested<{ [P in keyof T as P extends `${Head}.${infer Rest}` ? Rest : never]: T[P] }>
    : T[K];
};

/** The whole configuration, nested by the dots of its keys. */
export type ChurnConfig = Nested<{ [K in ConfigKey]: ConfigValue<K> }>;

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

/** A URL with anything before an `@` after the scheme hidden: it may hold a password. */
function withoutCredentials(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? value.replace(/\/\/[^/]*@/, '//***@') : value);
}
