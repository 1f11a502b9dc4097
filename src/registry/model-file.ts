/**
 * The model file: everything scoring needs (the forest, the data schema it expects, the tuned
 * threshold) under a sha256 checksum of its content, verified on every load so a damaged or
 * hand-edited model is refused instead of silently mispredicting.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import type { DataSchema } from '../data/schema.js';
import type { BinnedReference } from '../evaluation/index.js';
import { Forest, type SerializedForest } from '../forest/index.js';

export const MODEL_FORMAT = 'churn-model';
export const MODEL_SCHEMA_VERSION = 1;
const PAYLOAD_KEY = '"model":';

export interface StoredModel {
  version: string;
  createdAt: string;
  churnVersion: string;
  schema: DataSchema;
  /** Probability from which a customer is predicted to churn, tuned for F-beta. */
  threshold: number;
  beta: number;
  /** How the model's holdout scores spread over ten bins: the reference for score drift. */
  scoreReference?: BinnedReference;
  forest: SerializedForest;
}

interface ModelDocument {
  format: typeof MODEL_FORMAT;
  schemaVersion: number;
  sha256: string;
  model: StoredModel;
}

export interface LoadedModel {
  model: StoredModel;
  forest: Forest;
  path: string;
}

/**
 * The file is a JSON document whose last key, `model`, holds the payload; `sha256` is the hash
 * of the payload's text exactly as written, so loading verifies the bytes without printing the
 * model again.
 */
export function formatModelFile(model: StoredModel): string {
  const payload = JSON.stringify(model);
  const head: Omit<ModelDocument, 'model'> = {
    format: MODEL_FORMAT,
    schemaVersion: MODEL_SCHEMA_VERSION,
    sha256: checksum(payload),
  };
  return `${JSON.stringify(head).slice(0, -1)},"model":${payload}}`;
}

export async function readModelFile(path: string): Promise<LoadedModel> {
  const file = displayPath(path);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      { file },
      error.code === 'ENOENT' ? 'no such model file' : `cannot be read (${error.code})`,
    );
  });
  let document: Partial<ModelDocument>;
  try {
    document = JSON.parse(text) as Partial<ModelDocument>;
  } catch {
    throw new InputError({ file }, 'is not a model file: not valid JSON (truncated or damaged?)');
  }
  if (document?.format !== MODEL_FORMAT || typeof document.model !== 'object') {
    throw new InputError({ file }, `is not a churn model file`);
  }
  if (document.schemaVersion !== MODEL_SCHEMA_VERSION) {
    throw new InputError(
      { file },
      `has model schema version ${document.schemaVersion}; this churn reads version ` +
        `${MODEL_SCHEMA_VERSION}: retrain the model or use a matching churn`,
    );
  }
  if (document.sha256 !== checksum(payloadText(text))) {
    throw new InputError({ file }, 'fails its sha256 checksum: the model is damaged or was edited');
  }
  try {
    return { model: document.model, forest: Forest.fromJSON(document.model.forest), path };
  } catch (error) {
    throw new InputError({ file }, (error as Error).message);
  }
}

function payloadText(text: string): string {
  const start = text.indexOf(PAYLOAD_KEY);
  return start < 0 ? '' : text.slice(start + PAYLOAD_KEY.length, text.lastIndexOf('}'));
}

function checksum(payload: string): string {
  return createHash('sha256').update(payload).digest('hex');
}
