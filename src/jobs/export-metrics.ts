/**
 * `churn export-metrics`: the champion model's metrics and the running totals of the scoring
 * and retraining jobs, as one exposition, for CI jobs that publish them on demand (to stdout, a
 * file, or a Pushgateway under the job `churn_export_metrics`).
 */
import { secondsSince } from '../common/elapsed.js';
import { UsageError } from '../common/errors.js';
import { writeFileAtomic } from '../common/atomic-file.js';
import type { Logger } from '../logging/logger.js';
import { JobMetrics } from '../monitoring/job-metrics.js';
import { checkPublishing, pushMetrics, type PublishSettings } from '../monitoring/publish.js';
import { RunState } from '../monitoring/run-state.js';
import { ModelRegistry } from '../registry/registry.js';

export interface ExportOptions {
  modelsDir: string;
  /** Where the running totals are kept (metrics.textfileDir). */
  stateDir: string;
  /** Write the exposition to this file. */
  textfile: string | null;
  /** Push it (strictly: a failed push fails the export). */
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
  const started = performance.now();
  const push = options.push === null ? null : await checkPublishing(options.push);
  const registry = new ModelRegistry(options.modelsDir);
  const version = await registry.championVersion();
  if (version === null) {
    throw new UsageError('no champion model to export: train one with churn train');
  }
  const metadata = await registry.metadata(version);
  const metrics = new JobMetrics(EXPORT_JOB, await RunState.open(options.stateDir), EXPORT_JOB);
  metrics.recordRegisteredModel(metadata);
  metrics.recordTotals();
  metrics.recordSuccess(secondsSince(started), new Date());
  const exposition = await metrics.exposition();
  if (options.textfile !== null) {
    await writeFileAtomic(options.textfile, exposition);
    log.info('wrote metrics', { textfile: options.textfile, model: version });
  }
  if (push !== null) await pushMetrics({ ...push, strict: true }, 'PUT', exposition, log);
  return {
    modelVersion: version,
    exposition,
    textfile: options.textfile,
    pushed: options.push !== null,
  };
}
