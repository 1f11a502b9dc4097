/**
 * `churn retrain`, champion against challenger, safe to run unattended:
 *   1. lock the registry (a second run refuses at once; a dead run's lock is taken over);
 *   2. merge the new labelled rows into the base file's rows, deduplicated, in a scratch file;
 *      when that adds nothing (no new row, no changed one), stop: outcome `unchanged`;
 *   3. read the merged rows and check them against the champion's data schema (on a mismatch
 *      nothing has changed);
 *   4. judge the champion on the new rows, before they join its training data (labels have
 *      arrived: how does it do on customers it never saw?), and record it in its history;
 *      grow a challenger with the champion's settings;
 *   5. judge champion and challenger on the same stratified, seeded holdout of the merged rows;
 *   6. back up the base file, replace it with the merged rows, save the challenger (rejected
 *      unless it wins) and promote it if it wins.
 * Each file and registry change is atomic, so a run killed at any point leaves each of them as
 * it was or as it should be. `dryRun` stops after step 5 and writes nothing.
 */
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InputError, UsageError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { backUpFile, openAtomicWriter } from '../common/atomic-file.js';
import {
  readLabelledTable,
  type LabelledReadOptions,
  type LabelledTable,
} from '../data/labelled-table.js';
import {
  addsNothing,
  freshRecords,
  locateInOrigin,
  mergeLabelledFiles,
  writeRows,
  type MergeCounts,
  type MergedRows,
} from '../data/merge.js';
import { checkSameSchema, recodeForSchema } from '../data/recode.js';
import { evaluateModel, type DriftThresholds, type ModelMetrics } from '../evaluation/index.js';
import type { Logger } from '../logging/logger.js';
import { recordEvaluation, type EvaluationRecord } from '../registry/evaluations.js';
import { acquireRetrainLock } from '../registry/lock.js';
import type { LoadedModel } from '../registry/model-file.js';
import { ModelRegistry, type ModelMetadata } from '../registry/registry.js';
import type { ChurnConfig } from '../config/schema.js';
import { secondsSince } from '../common/elapsed.js';
import type { CalibrationMethod } from '../evaluation/calibration.js';
import { driftSummary } from './evaluate.js';
import { fitAndEvaluate } from './fit.js';
import { judgeOnLabelledBatch } from './labelled-batch.js';
import { warnWeakChampion } from './live-quality.js';
import { memorySource } from './scoring/batches.js';
import { churnProbabilities } from './scoring/probability.js';
import { buildVersion, saveVersion } from './model-version.js';
import { logTrainingTable } from './training-table.js';

export type RetrainMetric = 'f2' | 'rocAuc';

export interface RetrainOptions extends Omit<LabelledReadOptions, 'onProgress' | 'id'> {
  data: string;
  base: string;
  id: string | null;
  modelsDir: string;
  metric: RetrainMetric;
  minImprovement: number;
  testSize: number;
  /** For a champion saved before calibration; otherwise the champion's own method is kept. */
  calibration: CalibrationMethod;
  threads: number | null;
  dryRun: boolean;
  /** For judging the champion on the new rows. */
  drift: DriftThresholds;
  /** The limits a new champion is reported weak below (those of LowAUC and LowF2Score). */
  quality: { minRocAuc: number; minF2: number };
  onTree?: (done: number, total: number) => void;
}

/** A model's metrics on some holdout rows, and how many rows that holdout has. */
export interface HoldoutMetrics {
  rows: number;
  metrics: ModelMetrics;
}

export type RetrainOutcome = 'promoted' | 'kept' | 'unchanged';

/** A retrain whose batch added nothing: no training, no backup, nothing written. */
export interface UnchangedRetrain {
  outcome: 'unchanged';
  promoted: false;
  dryRun: boolean;
  rows: MergeCounts;
  champion: { version: string };
}

export type RetrainResult = UnchangedRetrain | ComparedRetrain;

export interface ComparedRetrain {
  outcome: 'promoted' | 'kept';
  promoted: boolean;
  dryRun: boolean;
  metric: RetrainMetric;
  /** The rows both models are judged on: the merged rows' holdout, the champion's own among them. */
  holdout: { rows: number };
  /**
   * `metrics` on the merged holdout; `ownHoldout`, what it scored on its own holdout when it was
   * trained (what `churn models list` shows), which is why the two figures differ.
   */
  champion: { version: string; metrics: ModelMetrics; ownHoldout: HoldoutMetrics };
  challenger: { version: string | null; metrics: ModelMetrics };
  rows: MergeCounts;
  /** The champion on the batch's new rows before they were merged; null when they lack a class. */
  live: EvaluationRecord | null;
  backup: string | null;
  /** The champion after this run, as the registry records it. */
  current: ModelMetadata;
}

export async function retrainModel(options: RetrainOptions, log: Logger): Promise<RetrainResult> {
  // A registry that is not there has no champion: say so before the lock makes its folder.
  if (!existsSync(options.modelsDir)) throw noChampion(options.modelsDir);
  const lock = await acquireRetrainLock(options.modelsDir);
  try {
    return await retrainLocked(options, log);
  } finally {
    await lock.release();
  }
}

async function retrainLocked(options: RetrainOptions, log: Logger): Promise<RetrainResult> {
  const registry = new ModelRegistry(options.modelsDir);
  const championVersion = await registry.championVersion();
  if (championVersion === null) throw noChampion(options.modelsDir);
  const champion = await registry.load(championVersion);
  const id = options.id ?? champion.model.schema.id;

  const readStarted = performance.now();
  const merged = await mergeLabelledFiles(options.base, options.data, id, options);
  log.info('merged new rows', {
    baseFile: displayPath(options.base),
    newFile: displayPath(options.data),
    ...merged.rows,
  });
  if (addsNothing(merged)) {
    log.success(
      `nothing new in ${displayPath(options.data)}: every row is in ${displayPath(options.base)} ` +
        'already; no challenger trained, nothing changed',
      { outcome: 'unchanged', champion: championVersion },
    );
    return {
      outcome: 'unchanged',
      promoted: false,
      dryRun: options.dryRun,
      rows: merged.rows,
      champion: { version: championVersion },
    };
  }
  // The merged rows go to the base file's own atomic writer: read back from its temporary file,
  // committed over the base file only once the challenger is worth saving.
  const scratch = await openAtomicWriter(options.base);
  let committed = false;
  try {
    await writeRows(scratch, merged);
    const table = await readMergedTable(scratch.path, merged, { ...options, id });
    table.name = displayPath(options.base);
    checkSameSchema(table.schema, champion.model.schema, displayPath(options.data));
    logTrainingTable(table, log);
    const readSeconds = secondsSince(readStarted);
    const live = await judgeOnNewRows(champion, merged, options, log);

    const settings = {
      // The champion's settings, its seed included: the holdout then holds out the same base
      // rows the champion's did, and the champion is judged on no row it was trained on.
      model: { ...champion.forest.params, threads: options.threads } as ChurnConfig['model'],
      testSize: options.testSize,
      beta: champion.model.beta,
      calibration: champion.model.calibration?.method ?? options.calibration,
      onTree: options.onTree,
    };
    const challenger = await fitAndEvaluate(table, settings, log);
    const championColumns = recodeForSchema(
      challenger.holdout.features,
      table.schema,
      champion.model.schema,
      table.name,
    );
    const championEvaluation = evaluateModel(
      challenger.holdout.labels,
      churnProbabilities(champion, championColumns),
      champion.model.threshold,
    );
    const challengerScore = challenger.evaluation.metrics[options.metric];
    const championScore = championEvaluation.metrics[options.metric];
    const promoted = challengerScore >= championScore + options.minImprovement;
    log.info('compared challenger with champion on the same holdout', {
      metric: options.metric,
      champion: Number(championScore.toFixed(4)),
      challenger: Number(challengerScore.toFixed(4)),
      minImprovement: options.minImprovement,
      promoted,
    });

    const result = {
      live,
      dryRun: options.dryRun,
      metric: options.metric,
      holdout: { rows: challenger.holdout.labels.length },
      champion: {
        version: championVersion,
        metrics: championEvaluation.metrics,
        ownHoldout: {
          rows: champion.metadata.data.holdoutRows,
          metrics: champion.metadata.metrics,
        },
      },
      rows: merged.rows,
    };
    if (options.dryRun) {
      return {
        ...result,
        outcome: promoted ? 'promoted' : 'kept',
        promoted,
        challenger: { version: null, metrics: challenger.evaluation.metrics },
        backup: null,
        current: champion.metadata,
      };
    }

    if (live) await recordEvaluation(registry, championVersion, live);
    const backup = await backUpFile(options.base);
    await scratch.commit();
    committed = true;
    log.info('replaced the base file with the merged rows', {
      base: displayPath(options.base),
      backup: displayPath(backup),
      rows: merged.rows.merged,
    });
    const version = buildVersion(
      table,
      challenger,
      settings,
      readSeconds,
      promoted ? undefined : 'rejected',
    );
    // Promoted only if the champion it beat still is the champion: another run may have
    // promoted a version since, and that choice stands.
    const promotedNow = await registry.locked('retrain', async () => {
      await saveVersion(registry, version);
      if (!promoted || (await registry.championVersion()) !== championVersion) return false;
      await registry.promote(version.model.version, { justSaved: true });
      return true;
    });
    if (promotedNow) {
      warnWeakChampion(version.metadata.metrics, options.quality, version.model.version, log);
    }
    if (promoted && !promotedNow) {
      log.warn(
        `the champion changed while retraining: ${version.model.version} is saved, not promoted`,
      );
    }
    log.success(
      promotedNow
        ? 'challenger promoted to champion'
        : 'champion kept; challenger saved as rejected',
      {
        champion: promotedNow ? version.model.version : championVersion,
        challenger: version.model.version,
      },
    );
    return {
      ...result,
      outcome: promotedNow ? 'promoted' : 'kept',
      promoted: promotedNow,
      challenger: { version: version.model.version, metrics: challenger.evaluation.metrics },
      backup: displayPath(backup),
      current: promotedNow ? version.metadata : champion.metadata,
    };
  } finally {
    if (!committed) await scratch.abort();
  }
}

/** The merged rows as a table; an error in them names the user's file and line. */
async function readMergedTable(
  path: string,
  merged: MergedRows,
  options: LabelledReadOptions,
): Promise<LabelledTable> {
  try {
    return await readLabelledTable(path, { ...options, delimiter: merged.delimiter });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw await locateInOrigin(error, merged, { maxFieldSize: options.maxFieldSize });
  }
}

function noChampion(modelsDir: string): UsageError {
  return new UsageError(
    `no champion in ${displayPath(modelsDir)} to retrain against: run churn train first`,
  );
}

/**
 * The champion on the merged rows that are new, scored as predict would score them, before they
 * join the training data: null (and a note) when they hold only one class.
 */
async function judgeOnNewRows(
  champion: LoadedModel,
  merged: MergedRows,
  options: RetrainOptions,
  log: Logger,
): Promise<EvaluationRecord | null> {
  const fresh = freshRecords(merged);
  const name = displayPath(options.data);
  const source = memorySource(name, merged.delimiter, merged.header, fresh);
  const judged = await judgeOnLabelledBatch(champion, source, options, log).catch(
    (error: unknown) => {
      if (!(error instanceof InputError)) throw error;
      log.info(`the champion is not judged on the new rows of ${name}: ${error.problem}`);
      return null;
    },
  );
  if (judged === null) return null;
  log.info('judged the champion on the new rows before merging them', {
    rows: judged.rows,
    rocAuc: Number(judged.metrics.rocAuc.toFixed(4)),
    f2: Number(judged.metrics.f2.toFixed(4)),
  });
  return {
    evaluatedAt: new Date().toISOString(),
    batch: basename(options.data, extname(options.data)),
    file: name,
    rowsRead: judged.rowsRead,
    rows: judged.rows,
    churnRate: judged.churnRate,
    metrics: judged.metrics,
    drift: driftSummary(judged.drift),
    by: 'retrain',
  };
}
