/**
 * Scoring one request's customers with the model being served, through `churn predict`'s own
 * path: the same BatchEncoder, the same scoring loop, the same rounding, threshold and risk
 * levels, so a customer gets the same numbers from either.
 */
import { availableParallelism } from 'node:os';
import { BatchEncoder, describeReadAsMissing } from '../data/batch-encoder.js';
import type { BatchExplainer, BatchScorer, ExplainMethod, Forest } from '../forest/index.js';
import type { LoadedModel } from '../registry/model-file.js';
import type { ModelMetadata } from '../registry/registry.js';
import { scoredBatches, type ScoredBatch } from '../jobs/scoring/batches.js';
import { calibrationOf } from '../jobs/scoring/probability.js';
import type { Customers } from './customers.js';

/** A model loaded whole, checksum verified, ready to answer requests; never changed once made. */
export interface ServedModel {
  readonly version: string;
  readonly model: LoadedModel['model'];
  readonly forest: Forest;
  readonly path: string;
  /** The registry's record of the version; null for a model file given by path without one. */
  readonly metadata: ModelMetadata | null;
  readonly loadedAt: Date;
}

export interface ScoredCustomers {
  /** In request order; usually one batch. */
  batches: ScoredBatch[];
  /** Values scored as missing (unseen categories, text in a number), as `churn predict` warns. */
  warnings: string[];
}

export interface ScoringChoices {
  /** The source columns each batch carries as CSV cells (the id, for a CSV answer). */
  copy?: readonly number[];
  /** Explain each customer's score this way, as `churn predict --explain` does. */
  explain?: ExplainMethod;
}

/** Scores every customer of a request, and explains them when asked. */
export async function scoreCustomers(
  served: ServedModel,
  customers: Customers,
  { copy = [], explain }: ScoringChoices = {},
): Promise<ScoredCustomers> {
  const { source, rows } = customers;
  const encoder = new BatchEncoder(served.model.schema, source, Math.max(1, rows));
  const batches: ScoredBatch[] = [];
  const scorer =
    explain === undefined ? requestScorer(served.forest) : requestExplainer(served.forest, explain);
  for await (const batch of scoredBatches({
    source,
    encoder,
    scorer,
    calibration: calibrationOf(served.model),
    copy,
  })) {
    batches.push(batch);
  }
  const warnings = encoder
    .readAsMissing()
    .map((entry) => describeReadAsMissing(entry, source.name));
  return { batches, warnings };
}

const THREADS = availableParallelism();

/**
 * Scores each batch as it is submitted. A request's batch is small and scored on this thread at
 * once; a large one is shared out to worker threads as `Forest.score` decides.
 */
function requestScorer(forest: Forest): BatchScorer {
  return {
    submit: (columns) => forest.score(columns, THREADS),
    helpUntil: async (until) => {
      await until;
    },
    close: async () => undefined,
  };
}

/** requestScorer's counterpart that explains each batch too. */
function requestExplainer(forest: Forest, method: ExplainMethod): BatchExplainer {
  return {
    submit: (columns) => forest.explain(columns, method, THREADS),
    helpUntil: async (until) => {
      await until;
    },
    close: async () => undefined,
  };
}
