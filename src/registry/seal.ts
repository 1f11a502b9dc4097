/**
 * Sealed JSON documents: the registry's small files (champion pointer, metadata, evaluation)
 * carry, beside their content, the sha256 of that content, and with a registry key an HMAC of it:
 *
 *   {"version": "…", "promotedAt": "…", "previous": null,
 *    "sha256": "…", "signature": "hmac-sha256:…"}
 *
 * The hash is taken over the content (every key but `sha256` and `signature`) printed as compact
 * JSON in its order, so a reader recomputes it from what it parsed. It tells damage (a truncated
 * write, a flipped bit, a hand edit) from a good document; anyone able to write the file can also
 * recompute it. The signature, keyed by a secret the writer holds (registry.signingKey), is what
 * someone without the key cannot forge. It covers the document's kind too, so a signed metadata
 * file cannot pass for a champion pointer.
 */
import { createHash, createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import type * as z from 'zod';
import { InputError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { firstProblem } from './documents.js';

export const SIGNATURE_PREFIX = 'hmac-sha256:';

export type DocumentKind =
  'champion pointer' | 'model metadata' | 'model evaluation' | 'batch evaluation' | 'model';

/** The registry's key, when documents must be signed; null checks checksums alone. */
export type SigningKey = Buffer | null;

export function sealDocument(
  kind: DocumentKind,
  content: Record<string, unknown>,
  key: SigningKey,
  layout: { compact?: boolean } = {},
): string {
  const text = JSON.stringify(content);
  const seal: Record<string, string> = { sha256: sha256(text) };
  if (key) seal.signature = sign(key, kind, [Buffer.from(text, 'utf8')]);
  return JSON.stringify({ ...content, ...seal }, null, layout.compact ? undefined : 2) + '\n';
}

/** Parses, verifies and validates a sealed document; any fault is an input error naming the file. */
export function openDocument<T>(
  kind: DocumentKind,
  text: string,
  schema: z.ZodType<T>,
  path: string,
  key: SigningKey,
): T {
  const file = displayPath(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(
      { file },
      `is not a valid ${kind}: not valid JSON (truncated or damaged?)`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError({ file }, `is not a valid ${kind}: not a JSON object`);
  }
  const { sha256: claimed, signature, ...content } = parsed as Record<string, unknown>;
  const canonical = JSON.stringify(content);
  if (typeof claimed !== 'string') {
    throw new InputError({ file }, `is not a valid ${kind}: it has no sha256 checksum`);
  }
  if (claimed !== sha256(canonical)) {
    throw new InputError(
      { file },
      `fails its sha256 checksum: the ${kind} is damaged or was edited`,
    );
  }
  if (key) checkSignature(kind, signature, sign(key, kind, [Buffer.from(canonical, 'utf8')]), file);
  const checked = schema.safeParse(content);
  if (!checked.success) {
    throw new InputError({ file }, `is not a valid ${kind}: ${firstProblem(checked.error)}`);
  }
  return checked.data;
}

/** An HMAC keyed by the registry key, bound to the document's kind; feed it the content. */
export function startHmac(key: Buffer, kind: DocumentKind): Hmac {
  return createHmac('sha256', key).update(`churn ${kind}\n`);
}

/** `hmac-sha256:<hex>` of the kind and the bytes given, in order. */
export function sign(key: Buffer, kind: DocumentKind, pieces: Iterable<Buffer>): string {
  const hmac = startHmac(key, kind);
  for (const piece of pieces) hmac.update(piece);
  return SIGNATURE_PREFIX + hmac.digest('hex');
}

/** Refuses a document whose signature is missing or is not the one expected. */
export function checkSignature(
  kind: DocumentKind,
  signature: unknown,
  expected: string,
  file: string,
): void {
  if (typeof signature !== 'string') {
    throw new InputError(
      { file },
      `is not signed, and this registry requires signatures (registry.signingKey): ` +
        `the ${kind} was written without the key, or its signature was removed`,
    );
  }
  const want = Buffer.from(expected);
  const given = Buffer.from(signature);
  if (want.length !== given.length || !timingSafeEqual(want, given)) {
    throw new InputError(
      { file },
      `has a signature that does not match (registry.signingKey): the ${kind} was edited, ` +
        'or signed with another key',
    );
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
