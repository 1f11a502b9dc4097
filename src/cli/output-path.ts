/**
 * A command's output path, checked by the output guard (src/common/output-guard.ts) against the
 * run's inputs and the folders churn keeps itself, before the job starts.
 */
import { join, resolve } from 'node:path';
import { checkOutputPath } from '../common/output-guard.js';
import { isStandardStream } from '../common/standard-streams.js';
import type { ChurnConfig } from '../config/schema.js';
import { STATE_FILE } from '../monitoring/run-state.js';

export interface OutputRequest {
  /** The flag and what it was given; undefined for the default. */
  flag: string;
  given: string | undefined;
  /** Where the output goes when the flag is not given (churn creates its folder). */
  fallback: string;
  /** Files the run reads (a model path as --model gives it is one). */
  inputs: Array<string | null | undefined>;
}

export function checkedOutput(
  request: OutputRequest,
  config: Pick<ChurnConfig, 'modelsDir' | 'metrics'>,
  cwd: string,
): Promise<string> {
  // `-` is standard output, the one output that is not a file: nothing to guard.
  if (isStandardStream(request.given)) return Promise.resolve(request.given!);
  const given = request.given ?? request.fallback;
  return checkOutputPath(given, cwd, {
    flag: request.flag,
    inputs: request.inputs.map((input) => (input ? resolve(cwd, input) : input)),
    managed: [
      { path: config.modelsDir, what: 'the model registry' },
      { path: join(config.metrics.textfileDir, STATE_FILE), what: 'the running totals' },
    ],
    isDefault: request.given === undefined,
  });
}
