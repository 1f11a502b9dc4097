/**
 * The model file: everything scoring needs (the forest, the data schema it expects, the tuned
 * threshold) under a sha256 checksum of its content, and with a registry key an HMAC signature,
 * verified on every load so a damaged or hand-edited model is refused instead of silently
 * mispredicting. Past the checksum, the payload is checked against its schema (documents.ts) and
 * the forest against the data schema, so a model edited with its checksum recomputed is refused
 * too, before a job writes anything.
 */
import { createHash, randomUUID, type Hash, type Hmac } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { openRegularFile, readRegularFile } from '../common/regular-file.js';
import { writeBytes, writeText } from '../common/atomic-file.js';
import type { DataSchema } from '../data/schema.js';
import type { CalibrationMap } from '../evaluation/calibration.js';
import type { ColumnProfile } from '../evaluation/index.js';
import { encodeArrayInSlices, Forest, type SerializedForest } from '../forest/index.js';
import { firstProblem, storedModelSchema } from './documents.js';
import { checkSignature, SIGNATURE_PREFIX, startHmac, type SigningKey } from './seal.js';

export const MODEL_FORMAT = 'churn-model';
export const MODEL_SCHEMA_VERSION = 1;
const PAYLOAD_KEY = '"model":';
/** The head writeModelFile prints before the payload, with the payload's sha256 and signature. */
const HEAD = new RegExp(
  `^\\{"format":"${MODEL_FORMAT}","schemaVersion":\\d+,"sha256":"([0-9a-f]{64})",` +
    `(?:"signature":"(${SIGNATURE_PREFIX}[0-9a-f]{64})",)?${PAYLOAD_KEY}`,
);
/** The longest text V8 makes of a file's bytes: a larger model could not be parsed anyway. */
const MAX_MODEL_BYTES = 0x1fffffe8;
const MODEL_FILE_KIND = { kind: 'model file', maxBytes: MAX_MODEL_BYTES };

export interface StoredModel {
  version: string;
  createdAt: string;
  churnVersion: string;
  schema: DataSchema;
  /** Probability from which a customer is predicted to churn, tuned for F-beta. */
  threshold: number;
  beta: number;
  /** The profile of the model's holdout scores, in tenths: the reference for score drift. */
  scoreReference?: ColumnProfile;
  /**
   * The map from the forest's raw probability to the calibrated one every command shows; absent
   * in models saved before calibration, which show the raw probability.
   */
  calibration?: CalibrationMap;
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
  signature?: string;
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
 * of the payload's text exactly as written (and `signature`, with a key, its HMAC), so loading
 * verifies the bytes without printing the model again.
 *
 * A model grown on a million rows holds about 200 MB of base64 node arrays. They are encoded a
 * slice at a time as they are written, never held whole: the sha256 goes in as a placeholder and
 * is written over once the payload has gone through the hash. (Printing the document whole took
 * five copies of it, 1.7 GB of the peak of `churn train` on a million rows.)
 */
export async function writeModelFile(
  handle: FileHandle,
  model: ModelToSave,
  key: SigningKey = null,
): Promise<void> {
  const head: Omit<ModelDocument, 'model'> = {
    format: MODEL_FORMAT,
    schemaVersion: MODEL_SCHEMA_VERSION,
    sha256: '0'.repeat(64),
    ...(key ? { signature: SIGNATURE_PREFIX + '0'.repeat(64) } : {}),
  };
  const headText = `${JSON.stringify(head).slice(0, -1)},${PAYLOAD_KEY}`;
  const hashAt = headText.indexOf('"sha256":"') + '"sha256":"'.length;
  const signatureAt = headText.indexOf('"signature":"') + '"signature":"'.length;
  const hash = createHash('sha256');
  const hmac = key ? startHmac(key, 'model') : null;
  await writeText(handle, headText);
  for (const piece of payloadPieces(model)) {
    const bytes = Buffer.from(piece, 'utf8'); // encoded once, for the hash and the file
    hash.update(bytes);
    hmac?.update(bytes);
    await writeBytes(handle, bytes);
  }
  await writeText(handle, '}');
  await handle.write(hash.digest('hex'), hashAt, 'utf8');
  if (hmac) await handle.write(SIGNATURE_PREFIX + hmac.digest('hex'), signatureAt, 'utf8');
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
 * Reads and verifies a model file: a regular file of bounded size (never a device or a pipe), its
 * checksum (and signature) over the file's bytes before they become text, then the document's
 * shape and the forest against the data schema.
 */
export async function readModelFile(path: string, key: SigningKey = null): Promise<LoadedModel> {
  const file = displayPath(path);
  let bytes: Buffer | null = await readRegularFile(path, MODEL_FILE_KIND);
  const payloadStart = bytes.indexOf(PAYLOAD_KEY);
  const payload =
    payloadStart < 0
      ? Buffer.alloc(0)
      : bytes.subarray(payloadStart + PAYLOAD_KEY.length, bytes.lastIndexOf('}'));
  const payloadHash = createHash('sha256').update(payload).digest('hex');
  const payloadHmac = key
    ? SIGNATURE_PREFIX + startHmac(key, 'model').update(payload).digest('hex')
    : null;
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
  if (payloadHmac !== null) checkSignature('model', document.signature, payloadHmac, file);
  const checked = storedModelSchema.safeParse(document.model);
  document.model = undefined;
  if (!checked.success) {
    throw new InputError({ file }, `is not a valid model: ${firstProblem(checked.error)}`);
  }
  // Only the loaded forest is kept: the node arrays' text (hundreds of megabytes for a large
  // model) goes with the document.
  const { forest: serialized, ...model } = checked.data;
  let forest: Forest;
  try {
    forest = Forest.fromJSON(serialized);
  } catch (error) {
    throw new InputError({ file }, (error as Error).message);
  }
  const mismatch = forestMismatch(model.schema, forest) ?? referenceMismatch(model);
  if (mismatch) throw new InputError({ file }, `is not a valid model: ${mismatch}`);
  return { model, forest, path };
}

/**
 * Checks a model file's bytes against its checksum (and signature), streaming them through the
 * hash without parsing: for a file this process has just written, so that promoting it costs
 * neither the memory nor the time of loading the forest again (600 MB and 4 s for a million
 * training rows).
 */
export async function verifyModelChecksum(path: string, key: SigningKey = null): Promise<void> {
  const file = displayPath(path);
  const { handle, size } = await openRegularFile(path, MODEL_FILE_KIND);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    const match = HEAD.exec(buffer.toString('latin1', 0, bytesRead));
    if (!match) throw new InputError({ file }, 'is not a churn model file');
    const hash = createHash('sha256');
    const hmac = key ? startHmac(key, 'model') : null;
    // The payload runs from its key to the document's closing brace, the file's last byte.
    await readRange(handle, match[0].length, size - 1, [hash, ...(hmac ? [hmac] : [])]);
    if (hash.digest('hex') !== match[1]) {
      throw new InputError(
        { file },
        'fails its sha256 checksum: the model is damaged or was edited',
      );
    }
    if (hmac) checkSignature('model', match[2], SIGNATURE_PREFIX + hmac.digest('hex'), file);
  } finally {
    await handle.close();
  }
}

/** Feeds bytes [start, end) of an open file through the digests. */
async function readRange(
  handle: FileHandle,
  start: number,
  end: number,
  digests: Array<Hash | Hmac>,
): Promise<void> {
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (let at = start; at < end;) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - at), at);
    if (bytesRead === 0) break;
    for (const digest of digests) digest.update(chunk.subarray(0, bytesRead));
    at += bytesRead;
  }
}

/** Where the forest and the data schema disagree, or null: they must name the same features. */
function forestMismatch(schema: DataSchema, forest: Forest): string | null {
  const expected = forest.features;
  if (expected.length !== schema.features.length) {
    return `schema.features lists ${schema.features.length} features, the forest ${expected.length}`;
  }
  for (let f = 0; f < expected.length; f++) {
    const info = expected[f];
    const spec = schema.features[f];
    if (spec.name !== info.name || spec.kind !== info.kind) {
      return (
        `schema.features.${f} is ${spec.kind} "${spec.name}", ` +
        `the forest's feature ${f} ${info.kind} "${info.name}"`
      );
    }
    if (spec.kind === 'categorical' && spec.categories.length !== info.categories) {
      return (
        `schema.features.${f} ("${spec.name}") has ${spec.categories.length} categories, ` +
        `the forest ${info.categories}`
      );
    }
  }
  return null;
}

/** A reference distribution whose bins do not match its feature, or null. */
function referenceMismatch(model: Omit<StoredModel, 'forest'>): string | null {
  const bins = (reference: ColumnProfile) =>
    reference.edges === undefined ? null : reference.edges.length + 1;
  for (const [f, spec] of model.schema.features.entries()) {
    const expected = spec.kind === 'categorical' ? spec.categories.length : bins(spec.reference);
    if (expected === null || spec.reference.shares.length !== expected) {
      return `schema.features.${f}.reference does not fit the feature "${spec.name}"`;
    }
  }
  const score = model.scoreReference;
  if (score && (bins(score) === null || score.shares.length !== bins(score))) {
    return 'scoreReference has shares that do not fit its edges';
  }
  return null;
}

/** In a frame of its own, so that the document's text is garbage once it is parsed. */
function parseDocument(bytes: Buffer): Partial<ModelDocument> {
  return JSON.parse(bytes.toString('utf8')) as Partial<ModelDocument>;
}
