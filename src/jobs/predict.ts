/**
 * `churn predict`: score a CSV with a registered model, streaming batch by batch so memory stays
 * flat, into an output CSV that appears only once complete.
 */
import { realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../common/errors.js';
import { collectGarbage } from '../common/memory.js';
import { displayPath } from '../common/paths.js';
import { openAtomicWriter } from '../common/atomic-file.js';
import { BatchEncoder } from '../data/batch-encoder.js';
import { openCsv } from '../data/csv-reader.js';
import { csvField, csvLine } from '../data/csv-writer.js';
import type { Delimiter } from '../data/delimiter.js';
import { BatchDrift } from '../evaluation/index.js';
import type { ModelParams } from '../forest/index.js';
import type { Logger } from '../logging/logger.js';
import { ModelRegistry } from '../registry/registry.js';

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
const PREDICTION_COLUMNS = ['churn_probability', 'churn_predicted', 'risk_level'];

export interface PredictJobOptions {
  data: string;
  out: string;
  /** A version, a model path, or undefined for the champion. */
  model?: string;
  modelsDir: string;
  keepColumns: boolean;
  risk: { medium: number; high: number };
  /** Population stability index above which a feature or the scores are reported as drifted. */
  driftWarnPsi: number;
  delimiter?: Delimiter;
  /** Longest field or line, in characters (data.maxFieldSize). */
  maxFieldSize?: number;
  threads: number | null;
  cwd: string;
  /** After each batch: rows written, and the input's bytes read of its total. */
  onProgress?: (progress: { rows: number; bytesRead: number; bytes: number }) => void;
  /** Each batch's probabilities, in file order. */
  onScores?: (scores: Float64Array) => void;
}

export interface PredictResult {
  rows: number;
  out: string;
  modelVersion: string;
  modelParams: ModelParams;
  riskLevels: Record<RiskLevel, number>;
  averageScore: number;
  durationSeconds: number;
  /** Rows predicted to churn at the model's threshold. */
  predictedChurn: number;
  threshold: number;
  /** Population stability index of each feature against the training rows. */
  drift: Record<string, number>;
  /** Of the scores against the model's holdout scores; null for a model without that reference. */
  scoreDrift: number | null;
}

/** Rows scored at a time: enough to keep every thread busy, little enough to stay cached. */
const BATCH_ROWS = 16_384;
/** Rows between full garbage collections, which keep peak memory flat as files grow. */
const COLLECT_EVERY_ROWS = 65_536;
/** Records taken from the parser at a time; each is encoded at once and its text let go. */
const READ_ROWS = 1024;

export async function predictChurn(
  options: PredictJobOptions,
  log: Logger,
): Promise<PredictResult> {
  const started = performance.now();
  await refuseOverwritingInput(options.data, options.out);
  const registry = new ModelRegistry(options.modelsDir);
  const { model, forest, path } = await registry.find(options.model, options.cwd);
  log.info('loaded model', { version: model.version, path, threshold: model.threshold });
  collectGarbage(); // the model file's text is garbage now: free it before the batches need room

  const source = await openCsv(options.data, options);
  const writer = await openAtomicWriter(options.out);
  // This thread reads and encodes, and helps score when it is ahead: one worker per other core.
  const scorer = forest.scoringStream(Math.max(1, (options.threads ?? availableParallelism()) - 1));
  try {
    const encoder = new BatchEncoder(model.schema, source, BATCH_ROWS);
    const kept = keptColumns(source.header, model.schema.id, options.keepColumns);
    if (options.keepColumns && kept.length < source.header.length) {
      log.warn(`replacing the earlier prediction columns of ${source.name}`);
    }
    await writer.write(
      csvLine([...kept.map((index) => source.header[index]), ...PREDICTION_COLUMNS]) + '\n',
    );

    const drift = new BatchDrift(model.schema.features, model.scoreReference);
    const summary = { riskLevels: { low: 0, medium: 0, high: 0 }, scoreSum: 0, predictedChurn: 0 };
    let rows = 0;
    let prefixes: string[] = [];
    let collectedAt = 0;

    const write = async (scores: Float64Array, lead: string[]) => {
      options.onScores?.(scores);
      drift.addScores(scores);
      await writer.write(formatBatch(scores, lead, model.threshold, options.risk, summary));
      if (rows - collectedAt >= COLLECT_EVERY_ROWS) {
        collectGarbage();
        collectedAt = rows;
      }
      options.onProgress?.({ rows, bytesRead: source.bytesRead, bytes: source.bytes });
    };
    // The workers score batch k while this thread reads and encodes batch k + 1; then this thread
    // queues k + 1 and scores its blocks too until k is done, so no core waits on k's last blocks,
    // and writes k.
    type Queued = { scores: Promise<Float64Array>; lead: string[] };
    let previous: Queued | null = null;
    const writeWhenScored = async ({ scores, lead }: Queued) => {
      await scorer.helpUntil(scores);
      await write(await scores, lead);
    };
    const scoreBatch = async () => {
      const columns = encoder.take();
      drift.addColumns(columns);
      const scores = scorer.submit(columns);
      scores.catch(() => undefined); // awaited by writeWhenScored
      const before = previous;
      previous = { scores, lead: prefixes };
      prefixes = [];
      if (before) await writeWhenScored(before);
    };
    const finishInFlight = async () => {
      const last = previous;
      previous = null;
      if (last) await writeWhenScored(last);
    };

    for await (const records of source.batches(READ_ROWS)) {
      for (const fields of records) {
        encoder.add(fields);
        let lead = '';
        for (const index of kept) lead += csvField(fields[index]) + ',';
        prefixes.push(lead);
        rows++;
        if (encoder.full) await scoreBatch();
      }
    }
    if (encoder.size > 0) await scoreBatch();
    await finishInFlight();
    for (const { feature, reason, rows: count, examples, more } of encoder.readAsMissing()) {
      const what =
        reason === 'unseen category' ? 'values the model never saw' : 'values that are not numbers';
      log.warn(
        `${count} row(s) of ${source.name} have ${feature} ${what} ` +
          `(${examples.map((value) => `"${value}"`).join(', ')}${more ? ', …' : ''}): scored as missing`,
        { feature, rows: count, reason },
      );
    }
    await writer.commit();
    const { riskLevels, scoreSum, predictedChurn } = summary;
    const featurePsi = drift.featurePsi();
    const scorePsi = drift.scorePsi();
    reportDrift(featurePsi, scorePsi, options.driftWarnPsi, source.name, log);
    const result: PredictResult = {
      rows,
      out: displayPath(options.out),
      modelVersion: model.version,
      modelParams: forest.params,
      riskLevels,
      averageScore: rows > 0 ? Number((scoreSum / rows).toFixed(6)) : 0,
      durationSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      predictedChurn,
      threshold: model.threshold,
      drift: featurePsi,
      scoreDrift: scorePsi,
    };
    log.success('scored customers', {
      rows,
      out: result.out,
      model: model.version,
      ...riskLevels,
      averageScore: result.averageScore,
      predictedChurn,
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

function reportDrift(
  drift: Record<string, number>,
  scorePsi: number | null,
  limit: number,
  file: string,
  log: Logger,
): void {
  const drifted = Object.entries(drift).filter(([, value]) => value > limit);
  if (scorePsi !== null && scorePsi > limit) drifted.push(['churn score', scorePsi]);
  if (drifted.length > 0) {
    log.warn(
      `${file} drifted from the training data: ` +
        drifted.map(([name, value]) => `${name} PSI ${value}`).join(', ') +
        ` (above ${limit})`,
      { drifted: drifted.length },
    );
  }
  log.info('drift against the training data', { ...drift, score: scorePsi });
}

/** Input columns copied to the output: all (but earlier predictions) or just the model's id. */
function keptColumns(header: string[], id: string | null, keepAll: boolean): number[] {
  const indexes = header.map((_, index) => index);
  if (keepAll) return indexes.filter((index) => !PREDICTION_COLUMNS.includes(header[index]));
  return indexes.filter((index) => header[index] === id);
}

interface ScoreSummary {
  riskLevels: Record<RiskLevel, number>;
  scoreSum: number;
  predictedChurn: number;
}

/** A batch's output lines (each after its kept fields), counted into the summary. */
function formatBatch(
  scores: Float64Array,
  lead: string[],
  threshold: number,
  cutoffs: { medium: number; high: number },
  summary: ScoreSummary,
): string {
  const lines: string[] = new Array(scores.length);
  for (let row = 0; row < scores.length; row++) {
    const score = scores[row];
    const level = riskLevel(score, cutoffs);
    const predicted = score >= threshold ? 1 : 0;
    summary.riskLevels[level]++;
    summary.scoreSum += score;
    summary.predictedChurn += predicted;
    lines[row] = `${lead[row]}${formatProbability(score)},${predicted},${level}`;
  }
  return lines.join('\n') + '\n';
}

export function riskLevel(score: number, cutoffs: { medium: number; high: number }): RiskLevel {
  if (score >= cutoffs.high) return 'high';
  if (score >= cutoffs.medium) return 'medium';
  return 'low';
}

/** Six decimals: finer than any decision needs, and 0 and 1 stay short. */
function formatProbability(score: number): string {
  return String(Math.round(score * 1e6) / 1e6);
}

async function refuseOverwritingInput(data: string, out: string): Promise<void> {
  const input = await realpath(data).catch(() => resolve(data));
  const output = await realpath(out).catch(() => resolve(out));
  if (input === output) {
    throw new UsageError(`--out ${displayPath(out)} is the input file: choose another output file`);
  }
}
