/**
 * `churn export-metrics`: the champion's figures (those of its group, `churn_champion`) and the
 * running totals of the scoring and retraining jobs, for CI jobs that publish them on demand: as
 * one exposition to stdout or a file, and to a Pushgateway as the champion's group, as a
 * promotion publishes it (the jobs push their own totals).
 */
import { UsageError } from '../common/errors.js';
import { writeFileAtomic } from '../common/atomic-file.js';
import type { Logger } from '../logging/logger.js';
import { championExposition, publishChampion } from '../monitoring/champion.js';
import { JobMetrics } from '../monitoring/job-metrics.js';
import type { PublishSettings } from '../monitoring/publish.js';
import type { RunState } from '../monitoring/run-state.js';
import { ModelRegistry } from '../registry/registry.js';

export interface ExportOptions {
  modelsDir: string;
  /** The running totals (metrics.textfileDir). */
  state: RunState;
  /** Write the exposition to this file. */
  textfile: string | null;
  /** Push the champion's group, checked already (strictly: a failed push fails the export). */
  push: PublishSettings | null;
}

export interface ExportResult {
  modelVersion: string;
  exposition: string;
  textfile: string | null;
  pushed: boolean;
}

export const EXPORT_JOB = 'churn_export_metrics';

export async function exportMetrics(options: ExportOptions, log: Logger): Promise<ExportResult> {
  const registry = new ModelRegistry(options.modelsDir);
  const champion = await championExposition(registry);
  if (champion === null) {
    throw new UsageError('no champion model to export: train one with churn train');
  }
  const totals = new JobMetrics(EXPORT_JOB, options.state, EXPORT_JOB);
  totals.recordTotals();
  const exposition = champion.exposition + (await totals.exposition());
  if (options.textfile !== null) {
    await writeFileAtomic(options.textfile, exposition);
    log.info('wrote metrics', { textfile: options.textfile, model: champion.version });
  }
  if (options.push !== null)
    await publishChampion(registry, { ...options.push, strict: true }, log);
  return {
    modelVersion: champion.version,
    exposition,
    textfile: options.textfile,
    pushed: options.push !== null,
  };
}
