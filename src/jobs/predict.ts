/**
 * `churn predict`: score a CSV with a registered model, streaming batch by batch so memory stays
 * flat, into an output CSV that appears only once complete.
 */
import { secondsSince } from '../common/elapsed.js';
import { availableParallelism } from 'node:os';
import { collectGarbage } from '../common/memory.js';
import type { AtomicWriter } from '../common/atomic-file.js';
import { openOutput, streamName } from '../common/standard-streams.js';
import { BatchEncoder, describeReadAsMissing } from '../data/batch-encoder.js';
import { openTable } from '../data/table-source.js';
import type { Delimiter } from '../data/delimiter.js';
import type { DataSchema } from '../data/schema.js';
import type { Shard } from '../data/shard.js';
import type { ModelParams } from '../forest/index.js';
import type { Logger } from '../logging/logger.js';
import type { LoadedModel } from '../registry/model-file.js';
import { ModelRegistry } from '../registry/registry.js';
import { logDrift, type DriftSettings } from './drift-log.js';
import { scoredBatches, type RowSource } from './scoring/batches.js';
import {
  copiedColumnIndexes,
  copiedColumns,
  formatRows,
  predictionColumns,
} from './scoring/output-columns.js';
import { calibrationOf } from './scoring/probability.js';
import { RISK_LEVELS, riskCutoffs, type RiskLevel, type RiskSettings } from './scoring/risk.js';
import {
  checkExplainable,
  explanationColumns,
  type ExplanationRequest,
} from './scoring/explanations.js';
import { openOutputFormat } from './scoring/output-format.js';
import { ScoringTally, type ScoringSummary } from './scoring/tally.js';

export { RISK_LEVELS, type RiskLevel };

export interface PredictJobOptions {
  data: string;
  out: string;
  /** A version, a model path, or undefined for the champion. */
  model?: string;
  modelsDir: string;
  keepColumns: boolean;
  /** Risk cutoffs; medium defaults to the model's threshold. */
  risk: RiskSettings;
  drift: DriftSettings;
  delimiter?: Delimiter;
  /** Longest field or line, in characters (data.maxFieldSize). */
  maxFieldSize?: number;
  /** Score only this shard of the file's records. */
  shard?: Shard;
  threads: number | null;
  cwd: string;
  /** What `--data -` reads and `--out -` writes. */
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** After each batch: rows written, and the input's bytes read of its total. */
  onProgress?: (progress: { rows: number; bytesRead: number; bytes: number }) => void;
  /** Each batch's probabilities, in file order. */
  onScores?: (scores: Float64Array) => void;
  /** Explanation columns to add: the strongest reasons, or every contribution. */
  explain?: ExplanationRequest;
}

export interface PredictResult extends ScoringSummary {
  out: string;
  modelVersion: string;
  modelParams: ModelParams;
  durationSeconds: number;
  threshold: number;
}

/** Rows scored at a time: enough to keep every thread busy, little enough to stay cached. */
const BATCH_ROWS = 16_384;

/**
 * The phases: load the model; open the input and its encoder; open the output and write its
 * header; score the batches in order, each one tallied and written as it arrives; warn of what
 * was read as missing; commit the output; report the result.
 */
export async function predictChurn(
  options: PredictJobOptions,
  log: Logger,
): Promise<PredictResult> {
  const started = performance.now();
  const { model, forest, path } = await loadModel(options, log);
  if (options.explain) checkExplainable(forest, model.schema, options.explain, path);

  const { source, encoder } = await openInput(options, model.schema);
  let writer: AtomicWriter;
  try {
    writer = await openOutput(options.out, options.stdout);
  } catch (error) {
    source.close();
    throw error;
  }
  // This thread reads and encodes, and helps score when it is ahead: one worker per other core.
  const workers = Math.max(1, (options.threads ?? availableParallelism()) - 1);
  const scorer = options.explain
    ? forest.explainingStream(workers, options.explain.method)
    : forest.scoringStream(workers);
  try {
    const copy = copiedColumnIndexes(source.header, model.schema.id, options.keepColumns);
    if (options.keepColumns && copy.length < source.header.length) {
      log.warn(`replacing the earlier prediction columns of ${source.name}`);
    }
    const cutoffs = riskCutoffs(options.risk, model.threshold);
    const calibration = calibrationOf(model);
    const columns = [
      copiedColumns(source.header, copy),
      predictionColumns(model.threshold, cutoffs),
      ...(options.explain ? [explanationColumns(model.schema, options.explain)] : []),
    ];
    const format = await openOutputFormat(options.out, writer, columns);

    const tally = new ScoringTally(
      model.schema,
      model.scoreReference,
      model.threshold,
      cutoffs,
      options.drift,
    );
    let written = 0;
    for await (const batch of scoredBatches({ source, encoder, scorer, calibration, copy })) {
      options.onScores?.(batch.scores);
      tally.add(batch);
      await format.write(formatRows(batch, columns));
      written += batch.scores.length;
      options.onProgress?.({ rows: written, bytesRead: source.bytesRead, bytes: source.bytes });
    }
    warnReadAsMissing(encoder, source.name, log);
    await format.finish();
    await writer.commit();

    const summary = tally.summary();
    logDrift(summary.drift, options.drift, source.name, log);
    const result: PredictResult = {
      ...summary,
      out: streamName(options.out, 'output'),
      modelVersion: model.version,
      modelParams: forest.params,
      durationSeconds: secondsSince(started),
      threshold: model.threshold,
    };
    log.success('scored customers', {
      rows: result.rows,
      out: result.out,
      model: model.version,
      ...result.riskLevels,
      averageScore: result.averageScore,
      predictedChurn: result.predictedChurn,
    });
    return result;
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await scorer.close();
    source.close();
  }
}

/** The rows to score and the encoder that turns them into the model's columns. */
async function openInput(
  options: PredictJobOptions,
  schema: DataSchema,
): Promise<{ source: RowSource; encoder: BatchEncoder }> {
  const source = await openTable(options.data, options);
  try {
    return { source, encoder: new BatchEncoder(schema, source, BATCH_ROWS) };
  } catch (error) {
    source.close();
    throw error;
  }
}

async function loadModel(options: PredictJobOptions, log: Logger): Promise<LoadedModel> {
  const registry = new ModelRegistry(options.modelsDir);
  const loaded = await registry.find(options.model, options.cwd);
  const { model, path } = loaded;
  log.info('loaded model', { version: model.version, path, threshold: model.threshold });
  collectGarbage(); // the model file's text is garbage now: free it before the batches need room
  return loaded;
}

function warnReadAsMissing(encoder: BatchEncoder, file: string, log: Logger): void {
  for (const entry of encoder.readAsMissing()) {
    const { feature, rows, reason } = entry;
    log.warn(describeReadAsMissing(entry, file), { feature, rows, reason });
  }
}
