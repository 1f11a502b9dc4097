/** `churn models …`: look after the registry: list versions, show one, promote, prune. */
import type { Logger } from '../logging/logger.js';
import { ModelRegistry, type ModelMetadata, type RegistryEntry } from '../registry/registry.js';
import { UsageError } from '../common/errors.js';

export function listModels(modelsDir: string): Promise<RegistryEntry[]> {
  return new ModelRegistry(modelsDir).list();
}

export interface ShownModel {
  metadata: ModelMetadata;
  champion: boolean;
  modelPath: string;
}

/** A version's metadata, after checking its model file loads (checksum included). */
export async function showModel(
  modelsDir: string,
  version: string | undefined,
): Promise<ShownModel> {
  const registry = new ModelRegistry(modelsDir);
  const champion = await registry.championVersion();
  const chosen = version ?? champion;
  if (chosen === null) throw new UsageError('the registry has no champion: name a version');
  const { metadata, path } = await registry.load(chosen);
  return { metadata, champion: chosen === champion, modelPath: path };
}

export async function promoteModel(
  modelsDir: string,
  version: string,
  log: Logger,
): Promise<string | null> {
  const registry = new ModelRegistry(modelsDir);
  const previous = await registry.championVersion();
  await registry.promote(version);
  log.success('promoted model to champion', { version, previous });
  return previous;
}

export async function pruneModels(modelsDir: string, keep: number, log: Logger): Promise<string[]> {
  const removed = await new ModelRegistry(modelsDir).prune(keep);
  log.info('pruned model versions', { keep, removed: removed.length, versions: removed.join(' ') });
  return removed;
}
