/**
 * The shape of every document the registry stores, as zod schemas: each is checked on every read,
 * after its checksum, so a document that is intact but wrong (edited with its checksum recomputed,
 * written by a buggy or newer churn) is refused with the field at fault instead of failing later,
 * midway through a job.
 *
 * The schemas are strict: a field added to a stored type must be added here too. Typecheck
 * reports a missing required field (each schema is typed by the interface it checks), and any
 * test that loads a saved version reports an unknown one.
 */
import * as z from 'zod';
import { CALIBRATION_METHODS, calibrationMapSchema } from '../evaluation/calibration.js';
import type { ConfusionMatrix, EvaluationCurves, ModelMetrics } from '../evaluation/index.js';
import type { ExplanationSummary } from '../evaluation/explanations.js';
import type { Rating } from '../evaluation/ratings.js';
import type { DataSchema } from '../data/schema.js';
import type { ColumnProfile, ValueDistribution } from '../evaluation/index.js';
import type { ModelParams } from '../forest/index.js';
import type { EvaluationRecord, LiveMetrics } from './evaluations.js';
import type { ModelMetadata } from './registry.js';
import { VERSION_PATTERN } from './version-id.js';

const versionId = z.string().regex(VERSION_PATTERN, 'is not a model version name');
const timestamp = z.iso.datetime({ message: 'is not an ISO 8601 time' });
const share = z.number().min(0).max(1);
const count = z.number().int().nonnegative();
const probability = z.number().min(0).max(1);
const finite = z.number().refine(Number.isFinite, 'is not a finite number');

export const championPointerSchema = z.strictObject({
  version: versionId,
  promotedAt: timestamp,
  previous: versionId.nullable(),
});
export type ChampionPointer = z.infer<typeof championPointerSchema>;

const params: z.ZodType<ModelParams> = z.strictObject({
  trees: z.number().int().positive(),
  maxDepth: z.number().int().positive().nullable(),
  minSamplesLeaf: z.number().int().positive(),
  minSamplesSplit: z.number().int().positive(),
  maxFeatures: z.union([z.enum(['sqrt', 'log2', 'all']), z.number().positive()]),
  classWeight: z.enum(['balanced', 'none']),
  seed: z.number().int(),
  bootstrap: z.boolean(),
  maxBins: z.number().int().positive(),
  minCategoryCount: z.number().nonnegative(),
  // Models saved before categorical regularization were grown without it: these values
  // reproduce them (the defaults have changed since).
  minCategoryRows: z.number().int().positive().default(1),
  categorySmoothing: z.number().nonnegative().default(0),
  maxCategorySplit: z.number().int().positive().default(256),
});

const metricFields = {
  rocAuc: probability,
  f2: probability,
  f1: probability,
  precision: probability,
  recall: probability,
  accuracy: probability,
  threshold: probability,
};
const metrics: z.ZodType<ModelMetrics> = z.strictObject(metricFields);

const rating: z.ZodType<Rating> = z.enum(['excellent', 'good', 'acceptable', 'weak', 'poor']);

const confusionMatrix: z.ZodType<ConfusionMatrix> = z.strictObject({
  truePositives: count,
  falsePositives: count,
  trueNegatives: count,
  falseNegatives: count,
});

const nonNegativeSeconds = z.number().nonnegative();

export const metadataSchema: z.ZodType<ModelMetadata> = z.strictObject({
  version: versionId,
  createdAt: timestamp,
  churnVersion: z.string(),
  status: z.literal('rejected').optional(),
  data: z.strictObject({
    file: z.string(),
    sha256: z.string(),
    rowsRead: count,
    missingTarget: count,
    trainRows: count,
    holdoutRows: count,
    churnRate: share,
  }),
  params,
  threshold: probability,
  beta: z.number().positive(),
  metrics,
  ratings: z.strictObject({
    rocAuc: rating,
    f2: rating,
    f1: rating,
    precision: rating,
    recall: rating,
    accuracy: rating,
  }),
  confusionMatrix,
  outOfBagFBeta: probability,
  featureImportances: z.record(z.string(), finite),
  durations: z.strictObject({
    readSeconds: nonNegativeSeconds,
    trainingSeconds: nonNegativeSeconds,
    evaluationSeconds: nonNegativeSeconds,
  }),
  calibration: z
    .strictObject({
      method: z.enum(CALIBRATION_METHODS),
      brierScore: z.number().min(0).max(1),
      logLoss: z.number().nonnegative(),
    })
    .optional(),
  tuning: z
    .strictObject({
      metric: z.literal('outOfBagAuc'),
      trials: z.array(
        z.strictObject({
          minSamplesLeaf: z.number().int().positive(),
          maxFeatures: z.union([z.enum(['sqrt', 'log2', 'all']), z.number().positive()]),
          outOfBagAuc: probability,
          seconds: nonNegativeSeconds,
        }),
      ),
      chosen: count,
    })
    .optional(),
});

const point = z.tuple([probability, probability]);
const curves: z.ZodType<EvaluationCurves> = z.strictObject({
  rows: count,
  positives: count,
  roc: z.array(point),
  precisionRecall: z.array(point),
  averagePrecision: probability,
  scoreHistogram: z.strictObject({
    bins: z.number().int().positive(),
    negatives: z.array(count),
    positives: z.array(count),
  }),
  gains: z.array(point).optional(),
  reliability: z
    .array(
      z.strictObject({
        low: probability,
        rows: count,
        meanScore: probability,
        churnRate: probability,
      }),
    )
    .optional(),
  brierScore: probability.optional(),
  logLoss: z.number().nonnegative().optional(),
});

const explanations: z.ZodType<ExplanationSummary> = z.strictObject({
  method: z.enum(['exact', 'fast']),
  rows: count,
  baseValue: probability,
  features: z.array(
    z.strictObject({
      name: z.string(),
      kind: z.enum(['numeric', 'categorical']),
      meanAbs: z.number().nonnegative(),
      correlation: z.number().min(-1).max(1).nullable(),
      direction: z.enum(['raises', 'lowers', 'mixed']).nullable(),
      categories: z
        .array(z.strictObject({ name: z.string(), mean: finite, rows: count }))
        .nullable(),
      missing: z.strictObject({ mean: finite, rows: count }).nullable(),
      points: z.array(z.tuple([finite, finite])).nullable(),
    }),
  ),
});

/** The holdout's curves and, since explanations, what drives its scores. */
export const evaluationSchema = z.strictObject({ curves, explanations: explanations.optional() });

const distribution: z.ZodType<ValueDistribution> = z
  .strictObject({
    points: z.array(finite).min(1),
    cumulative: z.array(share),
    std: z.number().nonnegative(),
    distinct: z.number().int().positive(),
  })
  .refine(
    (value) => value.cumulative.length === value.points.length,
    'has not one cumulative share per point',
  );

const reference: z.ZodType<ColumnProfile> = z.strictObject({
  missing: share,
  edges: z.array(finite).optional(),
  shares: z.array(share),
  distribution: distribution.optional(),
});

const feature = z.discriminatedUnion('kind', [
  z.strictObject({ name: z.string().min(1), kind: z.literal('numeric'), reference }),
  z.strictObject({
    name: z.string().min(1),
    kind: z.literal('categorical'),
    categories: z.array(z.string()),
    reference,
  }),
]);

const dataSchema: z.ZodType<DataSchema> = z.strictObject({
  features: z.array(feature).min(1, 'has no features'),
  target: z.string().min(1),
  id: z.string().min(1).nullable(),
  labels: z.strictObject({ positive: z.string(), negative: z.string() }),
  ignored: z.array(z.string()),
});

/** A model file's payload; its forest is checked by the forest's own loader. */
export const storedModelSchema = z.strictObject({
  version: versionId,
  createdAt: timestamp,
  churnVersion: z.string(),
  schema: dataSchema,
  threshold: probability,
  beta: z.number().positive(),
  scoreReference: reference.optional(),
  calibration: calibrationMapSchema.optional(),
  forest: z.unknown(),
});

const liveMetrics: z.ZodType<LiveMetrics> = z.strictObject({
  ...metricFields,
  brierScore: probability,
  logLoss: z.number().nonnegative(),
});

/** One line of a version's evaluations.jsonl. */
export const evaluationRecordSchema: z.ZodType<EvaluationRecord> = z.strictObject({
  evaluatedAt: timestamp,
  batch: z.string().min(1),
  file: z.string(),
  rowsRead: count,
  rows: count,
  churnRate: share,
  metrics: liveMetrics,
  drift: z.strictObject({
    share,
    detected: z.boolean(),
    drifted: z.array(z.string()),
  }),
  by: z.enum(['evaluate', 'retrain']),
});

/** The first problem zod found, as one line: `schema.features.2.kind: Invalid input`. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : 'the document';
  return `${where}: ${issue.message}`;
}
