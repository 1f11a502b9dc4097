/**
 * The champion's own group, `job="churn_champion"`: the one source of truth for the model in use,
 * which the alert rules and the dashboards read. It is rebuilt from the registry whenever the
 * champion or its evaluations change (train, a retrain that promotes or evaluates, models
 * promote, evaluate) and replaced whole, so it always holds exactly one model: its holdout
 * figures and its figures on the latest labelled batch. A retrain that keeps the champion pushes
 * the same figures again, under the same labels, so nothing that reads them can flap.
 */
import { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';
import { readEvaluations } from '../registry/evaluations.js';
import type { ModelRegistry } from '../registry/registry.js';
import { addLiveFamilies, addModelFamilies } from './model-figures.js';
import { CHAMPION_GROUP, publishExposition, type PublishSettings } from './publish.js';

/** The champion's figures as an exposition; null when the registry has no champion. */
export async function championExposition(
  registry: ModelRegistry,
): Promise<{ version: string; exposition: string } | null> {
  const version = await registry.championVersion();
  if (version === null) return null;
  const metadata = await registry.metadata(version);
  const families = new Registry();
  addModelFamilies(families, {
    version,
    createdAt: metadata.createdAt,
    metrics: metadata.metrics,
    trainingSeconds: metadata.durations.trainingSeconds,
    samples: metadata.data.trainRows,
    params: metadata.params,
  });
  const latest = (await readEvaluations(registry, version)).records.at(-1);
  if (latest) addLiveFamilies(families, version, latest);
  return { version, exposition: await families.metrics() };
}

/** Publishes the champion's group (textfile and push) with a job's other grouping labels. */
export async function publishChampion(
  registry: ModelRegistry,
  settings: PublishSettings,
  log: Logger,
): Promise<void> {
  const champion = await championExposition(registry);
  if (champion === null) return;
  await publishExposition(champion.exposition, { ...settings, job: CHAMPION_GROUP }, log);
  log.debug('published the champion', { version: champion.version });
}
