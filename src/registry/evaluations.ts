/**
 * A model's evaluations on labelled batches after training, newest last: `evaluations.jsonl` in
 * its version folder, one JSON line per evaluation. Lines are appended with one write each, so
 * two runs never interleave and a run killed mid-write leaves at most a torn last line, which
 * reading skips.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelMetrics } from '../evaluation/index.js';

export const EVALUATIONS_FILE = 'evaluations.jsonl';

export interface LiveMetrics extends ModelMetrics {
  brierScore: number;
  logLoss: number;
}

export interface EvaluationRecord {
  evaluatedAt: string;
  /** The batch's name (--batch, or the file's name without its extension). */
  batch: string;
  file: string;
  /** sha256 of the file's bytes. */
  sha256: string;
  /** Labelled rows evaluated. */
  rows: number;
  churnRate: number;
  /** At the model's threshold. */
  metrics: LiveMetrics;
  drift: { share: number; detected: boolean; drifted: string[] };
  /** The command that evaluated: `evaluate`, or `retrain` on its new rows. */
  by: 'evaluate' | 'retrain';
}

export async function appendEvaluation(
  versionDir: string,
  record: EvaluationRecord,
): Promise<void> {
  await appendFile(join(versionDir, EVALUATIONS_FILE), JSON.stringify(record) + '\n');
}

/** Every evaluation of a version, oldest first; none for a model never evaluated. */
export async function readEvaluations(versionDir: string): Promise<EvaluationRecord[]> {
  const text = await readFile(join(versionDir, EVALUATIONS_FILE), 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    },
  );
  const records: EvaluationRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as EvaluationRecord);
    } catch {
      // A torn line from a run killed while appending: that evaluation was not recorded.
    }
  }
  return records;
}
