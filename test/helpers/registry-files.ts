/**
 * Edits registry files the way someone who knows the format would: the content changed and its
 * sha256 recomputed, so only the schema, the cross-checks or a signature can catch the change.
 * Written independently of the product's writer, so a test of the checks does not lean on it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

type Json = Record<string, unknown>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Changes a model file's payload and writes it back under a matching checksum (no signature). */
export function rewriteModel(path: string, edit: (model: Json) => void): void {
  const document = JSON.parse(readFileSync(path, 'utf8')) as Json;
  const model = document.model as Json;
  edit(model);
  const payload = JSON.stringify(model);
  writeFileSync(
    path,
    `{"format":"churn-model","schemaVersion":${document.schemaVersion as number},` +
      `"sha256":"${sha256(payload)}","model":${payload}}`,
  );
}

/**
 * Changes a sealed document (champion.json, metadata.json) and recomputes its sha256; a signature
 * stays as it was, since only the key's holder could recompute it.
 */
export function resealDocument(path: string, edit: (content: Json) => void): void {
  const { sha256: _old, signature, ...content } = JSON.parse(readFileSync(path, 'utf8')) as Json;
  edit(content);
  const seal = { sha256: sha256(JSON.stringify(content)), ...(signature ? { signature } : {}) };
  writeFileSync(path, JSON.stringify({ ...content, ...seal }));
}

/** The `error:` lines of a run's stderr. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('error:'));
}

/** The version folders of a registry, oldest first. */
export function versionsIn(models: string): string[] {
  return readdirSync(models)
    .filter((name) => /^\d{8}-/.test(name))
    .sort();
}
