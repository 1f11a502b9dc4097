/**
 * The model file: everything scoring needs (the forest, the data schema it expects, the tuned
 * threshold) under a sha256 checksum of its content, verified on every load so a damaged or
 * hand-edited model is refused instead of silently mispredicting.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { InputError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { writeBytes, writeText } from '../common/atomic-file.js';
import type { DataSchema } from '../data/schema.js';
import type { BinnedReference } from '../evaluation/index.js';
import { encodeArrayInSlices, Forest, type SerializedForest } from '../forest/index.js';

export const MODEL_FORMAT = 'churn-model';
export const MODEL_SCHEMA_VERSION = 1;
const PAYLOAD_KEY = '"model":';
/** The head writeModelFile prints before the payload, with the payload's sha256. */
const HEAD = new RegExp(
  `^\\{"format":"${MODEL_FORMAT}","schemaVersion":\\d+,"sha256":"([0-9a-f]{64})",${PAYLOAD_KEY}`,
);

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

/** A model on its way to disk: the forest is serialized as it is written. */
export interface ModelToSave extends Omit<StoredModel, 'forest'> {
  forest: Forest;
}

interface ModelDocument {
  format: typeof MODEL_FORMAT;
  schemaVersion: number;
  sha256: string;
  model: StoredModel;
}

export interface LoadedModel {
  /** The stored model but its serialized forest, which `forest` replaces once loaded. */
  model: Omit<StoredModel, 'forest'>;
  forest: Forest;
  path: string;
}

/**
 * The file is a JSON document whose last key, `model`, holds the payload; `sha256` is the hash
 * of the payload's text exactly as written, so loading verifies the bytes without printing the
 * model again.
 *
 * A model grown on a million rows holds about 200 MB of base64 node arrays. They are encoded a
 * slice at a time as they are written, never held whole: the sha256 goes in as a placeholder and
 * is written over once the payload has gone through the hash. (Printing the document whole took
 * five copies of it, 1.7 GB of the peak of `churn train` on a million rows.)
 */
export async function writeModelFile(handle: FileHandle, model: ModelToSave): Promise<void> {
  const head: Omit<ModelDocument, 'model'> = {
    format: MODEL_FORMAT,
    schemaVersion: MODEL_SCHEMA_VERSION,
    sha256: '0'.repeat(64),
  };
  const headText = `${JSON.stringify(head).slice(0, -1)},${PAYLOAD_KEY}`;
  const hashAt = headText.indexOf('"sha256":"') + '"sha256":"'.length;
  const hash = createHash('sha256');
  await writeText(handle, headText);
  for (const piece of payloadPieces(model)) {
    const bytes = Buffer.from(piece, 'utf8'); // encoded once, for the hash and the file
    hash.update(bytes);
    await writeBytes(handle, bytes);
  }
  await writeText(handle, '}');
  await handle.write(hash.digest('hex'), hashAt, 'utf8');
}

/**
 * The payload's JSON text in order: the model printed with a unique marker in place of each node
 * array, and each array's base64 text, in slices, where its marker was. The same text as
 * JSON.stringify of the model with `forest.toJSON()`.
 */
function* payloadPieces(model: ModelToSave): Generator<string> {
  const marker = `churn-node-array-${randomUUID()}`;
  const { outline, nodes } = model.forest.toParts();
  const names = Object.keys(nodes) as Array<keyof typeof nodes>;
  const printed = JSON.stringify({
    ...model,
    forest: {
      ...outline,
      nodes: Object.fromEntries(names.map((name) => [name, `${marker}:${name}`])),
    },
  });
  const slot = new RegExp(`"${marker}:([A-Za-z]+)"`, 'g');
  let from = 0;
  for (const match of printed.matchAll(slot)) {
    yield printed.slice(from, match.index);
    yield '"';
    yield* encodeArrayInSlices(nodes[match[1] as keyof typeof nodes]);
    yield '"';
    from = match.index! + match[0].length;
  }
  yield printed.slice(from);
}

/**
 * Reads and verifies a model file. The checksum is taken over the file's bytes, before they become
 * text; only then is the document parsed.
 */
export async function readModelFile(path: string): Promise<LoadedModel> {
  const file = displayPath(path);
  let bytes: Buffer | null = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      { file },
      error.code === 'ENOENT' ? 'no such model file' : `cannot be read (${error.code})`,
    );
  });
  const payloadStart = bytes.indexOf(PAYLOAD_KEY);
  const payloadHash = checksum(
    payloadStart < 0
      ? ''
      : bytes.subarray(payloadStart + PAYLOAD_KEY.length, bytes.lastIndexOf('}')),
  );
  let document: Partial<ModelDocument>;
  try {
    document = parseDocument(bytes);
  } catch {
    throw new InputError({ file }, 'is not a model file: not valid JSON (truncated or damaged?)');
  }
  bytes = null; // hundreds of megabytes for a large model, no longer needed
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
  if (document.sha256 !== payloadHash) {
    throw new InputError({ file }, 'fails its sha256 checksum: the model is damaged or was edited');
  }
  // Only the loaded forest is kept: the node arrays' text (hundreds of megabytes for a large
  // model) goes with the document.
  const { forest: serialized, ...model } = document.model;
  document.model = undefined;
  try {
    return { model, forest: Forest.fromJSON(serialized), path };
  } catch (error) {
    throw new InputError({ file }, (error as Error).message);
  }
}

/**
 * Checks a model file's bytes against its checksum, streaming them through the hash without
 * parsing: for a file this process has just written, so that promoting it costs neither the
 * memory nor the time of loading the forest again (600 MB and 4 s for a million training rows).
 */
export async function verifyModelChecksum(path: string): Promise<void> {
  const file = displayPath(path);
  const handle = await open(path, 'r');
  let head: string;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    head = buffer.toString('latin1', 0, bytesRead);
  } finally {
    await handle.close();
  }
  const match = HEAD.exec(head);
  if (!match) throw new InputError({ file }, 'is not a churn model file');
  const hash = createHash('sha256');
  // The payload runs from its key to the document's closing brace, the file's last byte.
  const start = match[0].length;
  if (size - 1 > start) {
    for await (const chunk of createReadStream(path, { start, end: size - 2 }))
      hash.update(chunk as Buffer);
  }
  if (hash.digest('hex') !== match[1]) {
    throw new InputError({ file }, 'fails its sha256 checksum: the model is damaged or was edited');
  }
}

/** In a frame of its own, so that the document's text is garbage once it is parsed. */
function parseDocument(bytes: Buffer): Partial<ModelDocument> {
  return JSON.parse(bytes.toString('utf8')) as Partial<ModelDocument>;
}

function checksum(payload: string | Buffer): string {
  return createHash('sha256').update(payload).digest('hex');
}
