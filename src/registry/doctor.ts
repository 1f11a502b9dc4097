/**
 * `churn models doctor`: reads everything the registry holds as every command would, and says
 * what is wrong; with `repair`, puts it right without deleting anything the user could want:
 *   - a damaged version (model, metadata or evaluation that fails its checksum, signature or
 *     schema) is moved whole to `.quarantine/`, where no command looks;
 *   - a damaged champion pointer, or one naming a missing or damaged version, is pointed at the
 *     previous champion if it is sound, else at the newest sound version that was not rejected,
 *     else removed (the damaged one is kept in `.quarantine/`);
 *   - temporary files and folders of dead churn runs are removed.
 * Anything else in the folder is not churn's and is left alone.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory, removeLeftovers } from '../common/atomic-file.js';
import { ChurnError, InputError, UsageError } from '../common/errors.js';
import { isOurLeftover, temporaryOwner } from '../common/temporary-names.js';
import { CHAMPION_FILE, type ModelRegistry } from './registry.js';
import { sealDocument } from './seal.js';
import { isVersionId } from './version-id.js';

export const QUARANTINE_DIR = '.quarantine';

export type FindingKind = 'damaged version' | 'champion pointer' | 'leftover';

export interface Finding {
  kind: FindingKind;
  /** The version or file it is about. */
  subject: string;
  problem: string;
  /** What repairing does. */
  repair: string;
}

export interface Examination {
  findings: Finding[];
  /** Versions that load whole, newest first. */
  sound: string[];
}

export async function examineRegistry(registry: ModelRegistry): Promise<Examination> {
  const names = await registry.folderNames();
  const findings: Finding[] = [];
  const sound: string[] = [];
  for (const version of names.filter(isVersionId).sort().reverse()) {
    const problem = await versionProblem(registry, version);
    if (problem === null) sound.push(version);
    else {
      findings.push({
        kind: 'damaged version',
        subject: version,
        problem,
        repair: `move it to ${QUARANTINE_DIR}/`,
      });
    }
  }
  const pointer = await pointerProblem(registry, sound);
  if (pointer) findings.push(pointer);
  for (const name of names.filter(isOurLeftover)) {
    findings.push({
      kind: 'leftover',
      subject: name,
      problem: `temporary file of churn process ${temporaryOwner(name)!.pid}, which is gone`,
      repair: 'remove it',
    });
  }
  return { findings, sound };
}

/** Repairs what examineRegistry found, under the registry lock; returns what it did. */
export async function repairRegistry(registry: ModelRegistry): Promise<Finding[]> {
  return registry.locked('doctor --repair', async () => {
    const { findings, sound } = await examineRegistry(registry);
    const quarantine = join(registry.dir, QUARANTINE_DIR);
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    for (const finding of findings) {
      if (finding.kind === 'damaged version') {
        await ensureDirectory(quarantine);
        await rename(
          join(registry.dir, finding.subject),
          join(quarantine, `${finding.subject}.${stamp}`),
        );
      }
    }
    if (findings.some((finding) => finding.kind === 'champion pointer')) {
      await repointChampion(registry, sound, quarantine, stamp);
    }
    if (findings.some((finding) => finding.kind === 'leftover')) {
      await removeLeftovers(registry.dir);
    }
    return findings;
  });
}

async function versionProblem(registry: ModelRegistry, version: string): Promise<string | null> {
  try {
    const { path } = await registry.load(version);
    await registry.curvesBeside(path);
    return null;
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) return error.message;
    if (error instanceof ChurnError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code) return `${join(registry.dir, version)}: cannot be read (${code})`;
    throw error;
  }
}

async function pointerProblem(registry: ModelRegistry, sound: string[]): Promise<Finding | null> {
  const subject = CHAMPION_FILE;
  let version: string | null;
  try {
    version = (await registry.readPointer())?.version ?? null;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { kind: 'champion pointer', subject, problem: error.message, repair: repairText(sound) };
  }
  if (version === null || sound.includes(version)) return null;
  return {
    kind: 'champion pointer',
    subject,
    problem: `names version ${version}, which is missing or damaged`,
    repair: repairText(sound),
  };
}

function repairText(sound: string[]): string {
  return sound.length > 0
    ? 'point it at the previous champion if sound, else the newest sound version not rejected'
    : 'remove it: no version is sound';
}

async function repointChampion(
  registry: ModelRegistry,
  sound: string[],
  quarantine: string,
  stamp: string,
): Promise<void> {
  const previous = await registry
    .readPointer()
    .then((pointer) => pointer?.previous ?? null)
    .catch(() => null);
  let chosen = previous !== null && sound.includes(previous) ? previous : null;
  for (const version of sound) {
    if (chosen !== null) break;
    if ((await registry.metadata(version)).status !== 'rejected') chosen = version;
  }
  chosen ??= sound[0] ?? null;
  if (chosen !== null) {
    // Written directly: promote would take the damaged pointer's previous for its own.
    await registry.load(chosen);
    await registry.writeDocument(
      CHAMPION_FILE,
      sealDocument(
        'champion pointer',
        { version: chosen, promotedAt: new Date().toISOString(), previous: null },
        registry.signingKey,
      ),
    );
    return;
  }
  await ensureDirectory(quarantine);
  await rename(join(registry.dir, CHAMPION_FILE), join(quarantine, `${CHAMPION_FILE}.${stamp}`));
}
