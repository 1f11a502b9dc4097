/**
 * `churn evaluate`: the champion (or a chosen version) on a labelled batch whose outcomes are now
 * known, against the figures it got on its holdout rows when it was trained. The evaluation is
 * appended to the version's history in the registry, so the champion's group carries it (its
 * `churn_live_*` figures) until the next one or the next promotion.
 */
import { basename, extname } from 'node:path';
import { UsageError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { openCsv } from '../data/csv-reader.js';
import type { Delimiter } from '../data/delimiter.js';
import type { DriftReport, ModelMetrics } from '../evaluation/index.js';
import type { ModelParams } from '../forest/index.js';
import type { Logger } from '../logging/logger.js';
import {
  recordEvaluation,
  type EvaluationRecord,
  type LiveMetrics,
} from '../registry/evaluations.js';
import { ModelRegistry } from '../registry/registry.js';
import { checkVersionId } from '../registry/version-id.js';
import { logDrift, type DriftSettings } from './drift-log.js';
import { judgeOnLabelledBatch, type LabelledBatch } from './labelled-batch.js';
import { degradations, logDegradations, type Degradation } from './live-quality.js';

export interface EvaluateOptions {
  data: string;
  /** A version of the registry; the champion when absent. */
  model?: string;
  modelsDir: string;
  /** The batch's name in the history and the metrics (default: the file's name). */
  batch?: string;
  delimiter?: Delimiter;
  maxFieldSize?: number;
  threads: number | null;
  drift: DriftSettings;
  /** quality.maxDrop: how far a live figure may fall below the holdout's. */
  maxDrop: number;
}

export interface EvaluateResult {
  version: string;
  modelParams: ModelParams;
  /** Whether the version evaluated is the champion (its group then carries the figures). */
  champion: boolean;
  record: EvaluationRecord;
  live: LiveMetrics;
  holdout: ModelMetrics;
  holdoutRows: number;
  degraded: Degradation[];
  maxDrop: number;
  drift: DriftReport;
  durationSeconds: number;
}

export async function evaluateOnBatch(
  options: EvaluateOptions,
  log: Logger,
): Promise<EvaluateResult> {
  const started = performance.now();
  const registry = new ModelRegistry(options.modelsDir);
  const championVersion = await registry.championVersion();
  const version = options.model !== undefined ? checkVersionId(options.model) : championVersion;
  if (version === null) {
    throw new UsageError(
      `no champion model in ${displayPath(options.modelsDir)} to evaluate: train one with churn train, or pass --model`,
    );
  }
  const loaded = await registry.load(version);
  log.info('loaded model', { version, threshold: loaded.model.threshold });

  const source = await openCsv(options.data, options);
  let judged: LabelledBatch;
  try {
    judged = await judgeOnLabelledBatch(loaded, source, options, log);
  } finally {
    source.close();
  }
  const record: EvaluationRecord = {
    evaluatedAt: new Date().toISOString(),
    batch: options.batch ?? basename(options.data, extname(options.data)),
    file: source.name,
    rowsRead: judged.rowsRead,
    rows: judged.rows,
    churnRate: judged.churnRate,
    metrics: judged.metrics,
    drift: driftSummary(judged.drift),
    by: 'evaluate',
  };
  await recordEvaluation(registry, version, record);

  const { metadata } = loaded;
  const degraded = degradations(judged.metrics, metadata.metrics, options.maxDrop);
  logDegradations(degraded, version, source.name, options.maxDrop, log);
  logDrift(judged.drift, options.drift, source.name, log);
  log.success('evaluated the model on a labelled batch', {
    version,
    batch: record.batch,
    rows: record.rows,
    rocAuc: Number(judged.metrics.rocAuc.toFixed(4)),
    f2: Number(judged.metrics.f2.toFixed(4)),
    driftShare: judged.drift.share,
  });
  return {
    version,
    modelParams: loaded.forest.params,
    champion: version === championVersion,
    record,
    live: judged.metrics,
    holdout: metadata.metrics,
    holdoutRows: metadata.data.holdoutRows,
    degraded,
    maxDrop: options.maxDrop,
    drift: judged.drift,
    durationSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  };
}

/** What the history keeps of a batch's drift. */
export function driftSummary(drift: DriftReport): EvaluationRecord['drift'] {
  return {
    share: drift.share,
    detected: drift.detected,
    drifted: Object.entries(drift.features)
      .filter(([, feature]) => feature.drifted)
      .map(([name]) => name),
  };
}
