/**
 * A model's evaluations on labelled batches after its training, oldest first: `evaluations.jsonl`
 * in its version folder, one sealed JSON document per line (with a registry key, signed), each
 * checked against its schema when read. A line is appended with one write, under the registry's
 * lock, so two runs never interleave; a run killed mid-write leaves at most a torn last line,
 * which reading skips and counts.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegularFileIfExists } from '../common/regular-file.js';
import type { ModelMetrics } from '../evaluation/index.js';
import { evaluationRecordSchema } from './documents.js';
import type { ModelRegistry } from './registry.js';
import { openDocument, sealDocument } from './seal.js';

export const EVALUATIONS_FILE = 'evaluations.jsonl';
const MAX_HISTORY_BYTES = 64 * 1024 * 1024;

/** A model's figures on a labelled batch, at its threshold. */
export interface LiveMetrics extends ModelMetrics {
  brierScore: number;
  logLoss: number;
}

export interface EvaluationRecord {
  evaluatedAt: string;
  /** The batch's name (--batch, or the file's name without its extension). */
  batch: string;
  /** The file as messages name it. */
  file: string;
  /** Data rows read, and those of them with a known outcome, evaluated. */
  rowsRead: number;
  rows: number;
  churnRate: number;
  metrics: LiveMetrics;
  drift: { share: number; detected: boolean; drifted: string[] };
  /** The command that evaluated: `evaluate`, or `retrain` on its new rows before merging them. */
  by: 'evaluate' | 'retrain';
}

/** Appends an evaluation to a version's history; the version must still be in the registry. */
export async function recordEvaluation(
  registry: ModelRegistry,
  version: string,
  record: EvaluationRecord,
): Promise<void> {
  await registry.locked('record an evaluation', async () => {
    await registry.metadata(version); // a version pruned meanwhile is named, not recreated
    const line = sealDocument('batch evaluation', { ...record }, registry.signingKey, {
      compact: true,
    });
    await appendFile(join(registry.versionDir(version), EVALUATIONS_FILE), line);
  });
}

export interface EvaluationHistory {
  records: EvaluationRecord[];
  /** Lines that are torn, damaged, unsigned under a key, or of another shape: left out. */
  damaged: number;
}

export async function readEvaluations(
  registry: ModelRegistry,
  version: string,
): Promise<EvaluationHistory> {
  const path = join(registry.versionDir(version), EVALUATIONS_FILE);
  const bytes = await readRegularFileIfExists(path, {
    kind: 'evaluation history',
    maxBytes: MAX_HISTORY_BYTES,
  });
  const history: EvaluationHistory = { records: [], damaged: 0 };
  for (const line of (bytes?.toString('utf8') ?? '').split('\n')) {
    if (line.trim() === '') continue;
    try {
      history.records.push(
        openDocument('batch evaluation', line, evaluationRecordSchema, path, registry.signingKey),
      );
    } catch {
      history.damaged++;
    }
  }
  return history;
}
