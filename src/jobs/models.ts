/** `churn models …`: look after the registry: list versions, show one, promote, prune. */
import type { Logger } from '../logging/logger.js';
import { ModelRegistry, type ModelMetadata, type RegistryEntry } from '../registry/registry.js';
import { UsageError } from '../common/errors.js';
import { readEvaluations, type EvaluationRecord } from '../registry/evaluations.js';
import { checkVersionId } from '../registry/version-id.js';
import { examineRegistry, repairRegistry, type Finding } from '../registry/doctor.js';

/** The readable versions; damaged ones are named in a warning, pointing at the doctor. */
export async function listModels(modelsDir: string, log: Logger): Promise<RegistryEntry[]> {
  const listing = await new ModelRegistry(modelsDir).listing();
  warnDamaged(listing.damaged.length, listing.championProblem, log);
  return listing.entries;
}

export interface ShownModel {
  metadata: ModelMetadata;
  champion: boolean;
  modelPath: string;
  /** Its evaluations on labelled batches since training, oldest first. */
  evaluations: EvaluationRecord[];
}

/** A version's metadata, after checking its model file loads (checksum included). */
export async function showModel(
  modelsDir: string,
  version: string | undefined,
  log?: Logger,
): Promise<ShownModel> {
  const registry = new ModelRegistry(modelsDir);
  if (version !== undefined) checkVersionId(version);
  const champion = await registry.championVersion().catch((error: unknown) => {
    if (version === undefined) throw error;
    return null; // a damaged pointer does not hide the version asked for
  });
  const chosen = version ?? champion;
  if (chosen === null) throw new UsageError('the registry has no champion: name a version');
  const { metadata, path } = await registry.load(chosen);
  const history = await readEvaluations(registry, chosen);
  if (history.damaged > 0) {
    log?.warn(`${history.damaged} damaged line(s) of the evaluation history of ${chosen} left out`);
  }
  return {
    metadata,
    champion: chosen === champion,
    modelPath: path,
    evaluations: history.records,
  };
}

export async function promoteModel(
  modelsDir: string,
  version: string,
  log: Logger,
): Promise<string | null> {
  const previous = await new ModelRegistry(modelsDir).promote(checkVersionId(version));
  log.success('promoted model to champion', { version, previous });
  return previous;
}

export async function pruneModels(modelsDir: string, keep: number, log: Logger): Promise<string[]> {
  const removed = await new ModelRegistry(modelsDir).prune(keep);
  log.info('pruned model versions', { keep, removed: removed.length, versions: removed.join(' ') });
  return removed;
}

export interface DoctorReport {
  findings: Finding[];
  /** Whether the findings were repaired. */
  repaired: boolean;
}

/** Every problem of the registry; with `repair`, each put right. */
export async function doctorModels(
  modelsDir: string,
  repair: boolean,
  log: Logger,
): Promise<DoctorReport> {
  const registry = new ModelRegistry(modelsDir);
  const findings = repair
    ? await repairRegistry(registry)
    : (await examineRegistry(registry)).findings;
  for (const finding of findings) {
    log.info(repair ? 'repaired' : 'found', { ...finding });
  }
  return { findings, repaired: repair };
}

function warnDamaged(versions: number, championProblem: string | null, log: Logger): void {
  if (championProblem !== null) log.warn(`the champion pointer is damaged: ${championProblem}`);
  if (versions > 0) {
    log.warn(
      `${versions} damaged version(s) left out: run churn models doctor to see and repair them`,
    );
  }
}
