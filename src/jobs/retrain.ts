/**
 * `churn retrain`, champion against challenger, safe to run unattended:
 *   1. lock the registry (a second run refuses at once; a dead run's lock is taken over);
 *   2. merge the new labelled rows into the base file's rows, deduplicated, in a scratch file;
 *   3. read the merged rows and check them against the champion's data schema (on a mismatch
 *      nothing has changed);
 *   4. grow a challenger with the champion's settings;
 *   5. judge champion and challenger on the same stratified, seeded holdout of the merged rows;
 *   6. back up the base file, replace it with the merged rows, save the challenger (rejected
 *      unless it wins) and promote it if it wins.
 * Each file and registry change is atomic, so a run killed at any point leaves each of them as
 * it was or as it should be. `dryRun` stops after step 5 and writes nothing.
 */
import { existsSync } from 'node:fs';
import { InputError, UsageError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { backUpFile, openAtomicWriter } from '../common/atomic-file.js';
import {
  readLabelledTable,
  type LabelledReadOptions,
  type LabelledTable,
} from '../data/labelled-table.js';
import {
  locateInOrigin,
  mergeLabelledFiles,
  writeRows,
  type MergeCounts,
  type MergedRows,
} from '../data/merge.js';
import { checkSameSchema, recodeForSchema } from '../data/recode.js';
import { evaluateModel, type ModelMetrics } from '../evaluation/index.js';
import type { Logger } from '../logging/logger.js';
import { acquireRetrainLock } from '../registry/lock.js';
import { ModelRegistry, type ModelMetadata } from '../registry/registry.js';
import type { ChurnConfig } from '../config/schema.js';
import { secondsSince } from '../common/elapsed.js';
import type { CalibrationMethod } from '../evaluation/calibration.js';
import { fitAndEvaluate } from './fit.js';
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
  onTree?: (done: number, total: number) => void;
}

/** A model's metrics on some holdout rows, and how many rows that holdout has. */
export interface HoldoutMetrics {
  rows: number;
  metrics: ModelMetrics;
}

export interface RetrainResult {
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
      promoted,
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
        challenger: { version: null, metrics: challenger.evaluation.metrics },
        backup: null,
        current: champion.metadata,
      };
    }

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
