/**
 * The forest's public face: train on typed columns, predict probabilities, serialize.
 */
import { availableParallelism } from 'node:os';
import { deriveSeed } from '../common/random.js';
import { binFeatures } from './binning.js';
import { OOB_SCALE, type GrowingProblem, type TreeParams } from './grower.js';
import { histogramLayout } from './histogram.js';
import { growTrees } from './parallel-growth.js';
import { baseValue, rowExplainer, type ExplainMethod, type Explanation } from './explain.js';
import { explainRows, scoreRows, ScoringStream } from './parallel-scoring.js';
import type { FlatForest } from './flat-forest.js';
import { flatten, predictRange, toScoringColumns } from './predictor.js';
import {
  deserializeForest,
  forestParts,
  serializeForest,
  type ForestModel,
  type ForestParts,
  type SerializedForest,
} from './serialize.js';
import {
  DEFAULT_PARAMS,
  featuresPerNode,
  type FeatureColumn,
  type FeatureInfo,
  type ForestParams,
  type ModelParams,
  type TrainingSet,
} from './types.js';

export interface TrainOptions {
  /** Called after each tree, for progress bars. */
  onTree?: (done: number, total: number) => void;
}

export interface TrainedForest {
  forest: Forest;
  /**
   * Each training row's probability from the trees that did not see it (its out-of-bag
   * prediction), NaN for the few rows every tree saw.
   */
  oobScores: Float64Array;
}

export class Forest {
  private constructor(
    readonly features: FeatureInfo[],
    readonly params: ModelParams,
    /** Mean impurity decrease per feature, summing to 1. */
    readonly featureImportances: Float64Array,
    private readonly flat: FlatForest,
  ) {}

  get treeCount(): number {
    return this.flat.trees;
  }

  get nodeCount(): number {
    return this.flat.feature.length;
  }

  /** Churn probability of each row; columns in the order and kinds of `features`. */
  predictProba(columns: FeatureColumn[]): Float64Array {
    checkColumns(this.features, columns);
    const rows = columnLength(columns[0]);
    const out = new Float64Array(rows);
    predictRange(this.flat, toScoringColumns(columns, this.flat), 0, rows, out);
    return out;
  }

  /**
   * The same probabilities as predictProba, computed on several threads for large batches
   * (`threads` defaults to every core; small batches stay on the calling thread).
   */
  async score(columns: FeatureColumn[], threads = availableParallelism()): Promise<Float64Array> {
    checkColumns(this.features, columns);
    const rows = columnLength(columns[0]);
    return scoreRows(this.flat, toScoringColumns(columns, this.flat), rows, threads);
  }

  /**
   * For a stream of batches (as `churn predict` reads them): each is scored on the same workers
   * without waiting for the one before to drain. Close it when done.
   */
  scoringStream(workers: number): BatchScorer {
    const stream = new ScoringStream(this.flat, workers);
    return {
      submit: async (columns) => (await this.submitTo(stream, columns)).scores,
      helpUntil: (until) => stream.helpUntil(until),
      close: () => stream.close(),
    };
  }

  /** Whether the forest records what explanations need (forests saved before it did not). */
  get explainable(): boolean {
    return this.flat.cover !== null;
  }

  /**
   * What every row's contributions start from: the trees' mean expected probability over their
   * training rows.
   */
  get baseValue(): number {
    return baseValue(this.flat);
  }

  /**
   * Explains rows on the calling thread, with no workers and no stream: for a few rows at a
   * time, such as one request's customers. Contributions are row by row, one per feature in the
   * order of `features`; with the base value they add up to each row's probability.
   */
  explainRows(columns: FeatureColumn[], method: ExplainMethod): Explanation {
    checkColumns(this.features, columns);
    const rows = columnLength(columns[0]);
    const scores = new Float64Array(rows);
    const contributions = new Float64Array(rows * this.features.length);
    const explainer = rowExplainer(this.flat, method);
    explainer.explain(toScoringColumns(columns, this.flat), 0, rows, scores, contributions);
    return { scores, contributions, baseValue: this.baseValue };
  }

  /** The same as explainRows, on several threads for large batches. */
  async explain(
    columns: FeatureColumn[],
    method: ExplainMethod,
    threads = availableParallelism(),
  ): Promise<Explanation> {
    checkColumns(this.features, columns);
    const rows = columnLength(columns[0]);
    const scoring = toScoringColumns(columns, this.flat);
    const explained = await explainRows(this.flat, method, scoring, rows, threads);
    return { ...explained, baseValue: this.baseValue };
  }

  /** scoringStream's counterpart that explains every batch too. */
  explainingStream(workers: number, method: ExplainMethod): BatchExplainer {
    const stream = new ScoringStream(this.flat, workers, method);
    const baseValue = this.baseValue;
    return {
      submit: async (columns) => {
        const { scores, contributions } = await this.submitTo(stream, columns);
        return { scores, contributions: contributions!, baseValue };
      },
      helpUntil: (until) => stream.helpUntil(until),
      close: () => stream.close(),
    };
  }

  private submitTo(stream: ScoringStream, columns: FeatureColumn[]) {
    checkColumns(this.features, columns);
    return stream.submit(toScoringColumns(columns, this.flat), columnLength(columns[0]));
  }

  toJSON(): SerializedForest {
    return serializeForest(this.contents());
  }

  /** toJSON's content with the node arrays left as they are, for writers that encode in slices. */
  toParts(): ForestParts {
    return forestParts(this.contents());
  }

  private contents(): ForestModel {
    const { features, params, featureImportances, flat } = this;
    return { features, params, featureImportances, flat };
  }

  static fromJSON(data: unknown): Forest {
    const model = deserializeForest(data);
    return new Forest(model.features, model.params, model.featureImportances, model.flat);
  }

  /** @internal Used by training only. */
  static assemble(
    features: FeatureInfo[],
    params: ModelParams,
    importances: Float64Array,
    flat: FlatForest,
  ): Forest {
    return new Forest(features, params, importances, flat);
  }
}

export type BatchScorer = BatchStream<Float64Array>;

/** Resolves each batch with its probabilities and their explanation. */
export type BatchExplainer = BatchStream<Explanation>;

interface BatchStream<Result> {
  /** Queues a batch. */
  submit(columns: FeatureColumn[]): Promise<Result>;
  /** Lends the calling thread to queued batches until `until` settles. */
  helpUntil(until: Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function trainForest(
  data: TrainingSet,
  params: Partial<ForestParams> = {},
  options: TrainOptions = {},
): Promise<TrainedForest> {
  const settings: ForestParams = { ...DEFAULT_PARAMS, ...params };
  validate(data, settings);
  const rows = data.labels.length;
  const threads = Math.max(1, settings.threads ?? availableParallelism());

  const problem = growingProblem(data, settings, threads > 1);
  const grown = await growTrees({
    problem,
    params: treeParams(settings, problem.featureCount),
    seeds: Array.from({ length: settings.trees }, (_, t) => deriveSeed(settings.seed, t)),
    threads,
    oob: true,
    onTree: options.onTree,
  });

  const features: FeatureInfo[] = data.features.map((feature) => ({
    name: feature.name,
    kind: feature.kind,
    categories: feature.kind === 'categorical' ? feature.categories : 0,
  }));
  const flat = flatten(grown.trees, features);
  grown.trees.length = 0; // the flat copy is the forest now: let the per-tree arrays go
  const importances = meanImportances(grown.importances, features.length);
  const oobScores = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const count = grown.oob!.count[row];
    oobScores[row] = count > 0 ? grown.oob!.sum[row] / OOB_SCALE / count : NaN;
  }
  const { threads: _threads, ...model } = settings; // threads shape the run, not the model
  return { forest: Forest.assemble(features, model, importances, flat), oobScores };
}

/** The binned data and weights every tree grows from; `shared` puts the bins in shared memory. */
export function growingProblem(
  data: TrainingSet,
  settings: ForestParams,
  shared: boolean,
): GrowingProblem {
  const binned = binFeatures(data.features, {
    maxBins: settings.maxBins,
    minCategoryCount: settings.minCategoryCount,
    allocate: shared ? (bytes) => new Uint8Array(new SharedArrayBuffer(bytes)) : undefined,
  });
  return {
    rows: data.labels.length,
    featureCount: binned.featureCount,
    bins: binned.bins,
    mappers: binned.mappers,
    layout: histogramLayout(binned.mappers.map((mapper) => mapper.bins)),
    labels: data.labels,
    baseWeight: baseWeights(data, settings.classWeight),
  };
}

/** What each tree of a forest with these settings is grown by. */
export function treeParams(settings: ForestParams, featureCount: number): TreeParams {
  return {
    bootstrap: settings.bootstrap,
    maxDepth: settings.maxDepth ?? Infinity,
    minSamplesLeaf: settings.minSamplesLeaf,
    minCategoryRows: settings.minCategoryRows,
    categorySmoothing: settings.categorySmoothing,
    maxCategorySplit: settings.maxCategorySplit,
    minSamplesSplit: settings.minSamplesSplit,
    featuresPerNode: featuresPerNode(settings.maxFeatures, featureCount),
  };
}

/** Row weight times class weight; 'balanced' weighs class c by rows / (2 × rows of c). */
function baseWeights(data: TrainingSet, classWeight: ForestParams['classWeight']): Float64Array {
  const rows = data.labels.length;
  let positives = 0;
  for (let i = 0; i < rows; i++) positives += data.labels[i];
  const weightOf =
    classWeight === 'balanced' ? [rows / (2 * (rows - positives)), rows / (2 * positives)] : [1, 1];
  const weights = new Float64Array(rows);
  for (let i = 0; i < rows; i++)
    weights[i] = (data.weights ? data.weights[i] : 1) * weightOf[data.labels[i]];
  return weights;
}

/** Averaged in tree order, then normalized, as scikit-learn does. */
function meanImportances(perTree: Float64Array[], featureCount: number): Float64Array {
  const mean = new Float64Array(featureCount);
  for (const importances of perTree)
    for (let f = 0; f < featureCount; f++) mean[f] += importances[f];
  let total = 0;
  for (const value of mean) total += value;
  if (total > 0) for (let f = 0; f < featureCount; f++) mean[f] /= total;
  return mean;
}

function validate(data: TrainingSet, params: ForestParams): void {
  const rows = data.labels.length;
  if (data.features.length === 0) throw new RangeError('a forest needs at least one feature');
  if (rows < 2) throw new RangeError(`a forest needs at least 2 rows, got ${rows}`);
  for (const feature of data.features) {
    if (columnLength(feature) !== rows) {
      throw new RangeError(
        `feature ${feature.name} has ${columnLength(feature)} rows, labels have ${rows}`,
      );
    }
  }
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    if (data.labels[i] > 1)
      throw new RangeError(`label ${data.labels[i]} at row ${i} is not 0 or 1`);
    positives += data.labels[i];
  }
  if (positives === 0 || positives === rows)
    throw new RangeError('a forest needs rows of both classes');
  if (data.weights) {
    if (data.weights.length !== rows) throw new RangeError('weights and labels differ in length');
    if (data.weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
      throw new RangeError('weights must be finite and non-negative');
    }
  }
  if (!Number.isInteger(params.trees) || params.trees < 1)
    throw new RangeError('trees must be at least 1');
  if (params.minSamplesLeaf < 1 || params.minSamplesSplit < 2) {
    throw new RangeError('minSamplesLeaf must be at least 1 and minSamplesSplit at least 2');
  }
  if (params.maxBins < 2 || params.maxBins > 255)
    throw new RangeError('maxBins must be from 2 to 255');
}

function checkColumns(features: FeatureInfo[], columns: FeatureColumn[]): void {
  if (columns.length !== features.length) {
    throw new RangeError(`the forest takes ${features.length} features, got ${columns.length}`);
  }
  const rows = columns.length > 0 ? columnLength(columns[0]) : 0;
  columns.forEach((column, f) => {
    if (column.kind !== features[f].kind) {
      throw new RangeError(
        `feature ${features[f].name} is ${features[f].kind}, got ${column.kind}`,
      );
    }
    if (columnLength(column) !== rows)
      throw new RangeError('all columns must have the same length');
  });
}

function columnLength(feature: FeatureColumn): number {
  return feature.kind === 'numeric' ? feature.values.length : feature.codes.length;
}
