/**
 * The model registry, kept like a small database: one folder per model version, created whole
 * (model, metadata and metrics CSV appear together or not at all), a champion pointer replaced
 * atomically, every change under one lock, every document sealed by a checksum (and with a key,
 * signed) and checked against its schema on every read.
 *
 *   outputs/models/
 *     champion.json                  {"version": "...", "promotedAt": "...", "previous": "...", "sha256": "..."}
 *     .registry.lock                 held while a process changes the registry
 *     20261126-223108-123-a1b2/
 *       model.json                   what scoring needs, under a checksum (model-file.ts)
 *       metadata.json                metrics, row counts, durations, data fingerprint (sealed)
 *       metrics.csv                  metric,value,rating
 *       evaluation.json              holdout curves and score histograms, for reports (sealed)
 *       report.html                  the model report (churn report)
 *
 * A damaged version or pointer is isolated: listing, promoting and pruning skip it (and say so),
 * the rest of the registry keeps working, and `churn models doctor` lists and repairs it.
 */
import type { CalibrationMethod } from '../evaluation/calibration.js';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type * as z from 'zod';
import { InputError, UsageError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { readRegularFileIfExists } from '../common/regular-file.js';
import {
  removeDirectoryAtomic,
  writeDirectoryAtomic,
  writeFileAtomic,
} from '../common/atomic-file.js';
import type {
  ConfusionMatrix,
  EvaluationCurves,
  ModelMetrics,
  RatedMetric,
} from '../evaluation/index.js';
import type { ExplanationSummary } from '../evaluation/explanations.js';
import type { Rating } from '../evaluation/ratings.js';
import type { MaxFeatures, ModelParams } from '../forest/index.js';
import {
  championPointerSchema,
  evaluationSchema,
  metadataSchema,
  type ChampionPointer,
} from './documents.js';
import { acquireRegistryLock, REGISTRY_LOCK_WAIT_MS } from './lock.js';
import {
  readModelFile,
  verifyModelChecksum,
  writeModelFile,
  type LoadedModel,
  type ModelToSave,
} from './model-file.js';
import { openDocument, sealDocument, type DocumentKind, type SigningKey } from './seal.js';
import { checkVersionId, isVersionId } from './version-id.js';

export const MODEL_FILE = 'model.json';
export const METADATA_FILE = 'metadata.json';
export const METRICS_FILE = 'metrics.csv';
export const EVALUATION_FILE = 'evaluation.json';
export const REPORT_FILE = 'report.html';
export const CHAMPION_FILE = 'champion.json';
/** Small documents: a larger one is damaged, and is not read into memory. */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

export interface ModelMetadata {
  version: string;
  createdAt: string;
  churnVersion: string;
  /** `rejected`: a retraining challenger that did not beat the champion. */
  status?: 'rejected';
  data: {
    file: string;
    /** sha256 of the training file's bytes. */
    sha256: string;
    rowsRead: number;
    missingTarget: number;
    trainRows: number;
    holdoutRows: number;
    churnRate: number;
  };
  params: ModelParams;
  threshold: number;
  beta: number;
  /** On the holdout rows, at the threshold. */
  metrics: ModelMetrics;
  ratings: Record<RatedMetric, Rating>;
  confusionMatrix: ConfusionMatrix;
  /** F-beta of the out-of-bag predictions at the threshold they tuned. */
  outOfBagFBeta: number;
  featureImportances: Record<string, number>;
  durations: { readSeconds: number; trainingSeconds: number; evaluationSeconds: number };
  /** How probabilities are calibrated, and how well they score on the holdout (absent before calibration). */
  calibration?: ProbabilityQuality & { method: CalibrationMethod };
  /** The out-of-bag tuning grid and the trial kept, for a model trained with --tune. */
  tuning?: TuningRecord;
}

/** One setting of the out-of-bag tuning grid and how its forest scored. */
export interface TuningTrial {
  minSamplesLeaf: number;
  maxFeatures: MaxFeatures;
  outOfBagAuc: number;
  seconds: number;
}

export interface TuningRecord {
  metric: 'outOfBagAuc';
  trials: TuningTrial[];
  /** Index of the trial kept. */
  chosen: number;
}

/** How well probabilities say what they mean, on the holdout rows. */
export interface ProbabilityQuality {
  brierScore: number;
  logLoss: number;
}

export interface RegistryEntry {
  version: string;
  createdAt: string;
  champion: boolean;
  metadata: ModelMetadata;
}

/** A version (or the champion pointer) that cannot be used, and why, in one line. */
export interface DamagedEntry {
  name: string;
  problem: string;
}

export interface RegistryListing {
  /** Every complete, readable version, newest first. */
  entries: RegistryEntry[];
  /** Version folders whose metadata cannot be read. */
  damaged: DamagedEntry[];
  /** The champion pointer's problem, when it is damaged (then no entry is the champion). */
  championProblem: string | null;
}

export interface RegistryOptions {
  /** The registry key (registry.signingKey): documents are signed, and must be. */
  signingKey?: SigningKey;
  /** How long a change waits for another process's (tests shorten it). */
  lockWaitMs?: number;
}

let processSigningKey: SigningKey = null;

/**
 * The key this process signs and checks registry documents with (registry.signingKey), set once
 * by the command harness; a registry given its own key in its options uses that one.
 */
export function useSigningKey(key: string | null): void {
  processSigningKey = key === null ? null : Buffer.from(key, 'utf8');
}

export class ModelRegistry {
  readonly signingKey: SigningKey;
  private readonly lockWaitMs: number;
  /** Whether this object holds the registry lock now: changes made inside one are not relocked. */
  private holdsLock = false;

  constructor(
    readonly dir: string,
    options: RegistryOptions = {},
  ) {
    this.signingKey = options.signingKey !== undefined ? options.signingKey : processSigningKey;
    this.lockWaitMs = options.lockWaitMs ?? REGISTRY_LOCK_WAIT_MS;
  }

  /** A version's folder; the name is checked first, so no name leads outside the registry. */
  versionDir(version: string): string {
    return join(this.dir, checkVersionId(version));
  }

  /**
   * Writes a version's folder whole; `curves` (with `explanations`) and `report` join it when
   * given. To promote it with no other change in between, call both inside `locked`.
   */
  async save(
    model: ModelToSave,
    metadata: ModelMetadata,
    extras: {
      curves?: EvaluationCurves;
      explanations?: ExplanationSummary | null;
      report?: string;
    } = {},
  ): Promise<string> {
    const target = this.versionDir(model.version);
    const key = this.signingKey;
    return this.locked('save', async () => {
      try {
        await writeDirectoryAtomic(target, {
          [MODEL_FILE]: (handle) => writeModelFile(handle, model, key),
          [METADATA_FILE]: sealDocument('model metadata', { ...metadata }, key),
          [METRICS_FILE]: metricsCsv(metadata),
          ...(extras.curves
            ? {
                [EVALUATION_FILE]: sealDocument(
                  'model evaluation',
                  {
                    curves: extras.curves,
                    ...(extras.explanations ? { explanations: extras.explanations } : {}),
                  },
                  key,
                  { compact: true },
                ),
              }
            : {}),
          ...(extras.report ? { [REPORT_FILE]: extras.report } : {}),
        });
      } catch (error) {
        const failure = error as NodeJS.ErrnoException;
        if (failure.code === undefined) throw error;
        throw new InputError(
          { file: displayPath(this.dir) },
          `cannot save model ${model.version} (${failure.message}); nothing was saved`,
        );
      }
      return join(target, MODEL_FILE);
    });
  }

  /** Every complete, readable version, newest first; damaged ones are left out (see listing). */
  async list(): Promise<RegistryEntry[]> {
    return (await this.listing()).entries;
  }

  /** Every version folder, readable or damaged, and the champion pointer's state. */
  async listing(): Promise<RegistryListing> {
    const names = await this.folderNames();
    let champion: string | null = null;
    let championProblem: string | null = null;
    try {
      champion = (await this.readPointer())?.version ?? null;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      championProblem = error.message;
    }
    const entries: RegistryEntry[] = [];
    const damaged: DamagedEntry[] = [];
    for (const version of names.filter(isVersionId).sort().reverse()) {
      try {
        const metadata = await this.metadata(version);
        entries.push({
          version,
          createdAt: metadata.createdAt,
          champion: version === champion,
          metadata,
        });
      } catch (error) {
        if (!(error instanceof InputError || error instanceof UsageError)) throw error;
        damaged.push({ name: version, problem: error.message });
      }
    }
    return { entries, damaged, championProblem };
  }

  /** Names in the registry's folder; none when it does not exist yet. */
  async folderNames(): Promise<string[]> {
    return readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw new InputError(
        { file: displayPath(this.dir) },
        error.code === 'ENOTDIR'
          ? 'is not a folder: the model registry (modelsDir, --models-dir) must be one'
          : `cannot be read as the model registry (${error.code})`,
      );
    });
  }

  async metadata(version: string): Promise<ModelMetadata> {
    const dir = this.versionDir(version);
    const metadata = await this.readDocument(
      'model metadata',
      join(dir, METADATA_FILE),
      metadataSchema,
      () => new UsageError(this.unknownVersion(version)),
    );
    if (metadata.version !== version) {
      throw new InputError(
        { file: displayPath(join(dir, METADATA_FILE)) },
        `is the metadata of version ${metadata.version}, not of ${version}`,
      );
    }
    return metadata;
  }

  /** The metadata of the version folder a model file sits in (a model given by path). */
  metadataBeside(modelPath: string): Promise<ModelMetadata> {
    return this.readDocument(
      'model metadata',
      join(dirname(modelPath), METADATA_FILE),
      metadataSchema,
      () =>
        new UsageError(
          `${displayPath(modelPath)} has no ${METADATA_FILE} beside it: ` +
            'give a model of a registry version folder',
        ),
    );
  }

  /** The holdout curves saved with a model; null for models saved before churn kept them. */
  async curvesBeside(modelPath: string): Promise<EvaluationCurves | null> {
    return (await this.evaluationBeside(modelPath))?.curves ?? null;
  }

  /** What drives the holdout's scores; null for models saved before churn explained them. */
  async explanationsBeside(modelPath: string): Promise<ExplanationSummary | null> {
    return (await this.evaluationBeside(modelPath))?.explanations ?? null;
  }

  private evaluationBeside(modelPath: string) {
    const path = join(dirname(modelPath), EVALUATION_FILE);
    return this.readDocument('model evaluation', path, evaluationSchema, () => null);
  }

  /** A version's model, checksum verified, with its metadata (read first: it names an unknown version clearly). */
  async load(version: string): Promise<LoadedModel & { metadata: ModelMetadata }> {
    const metadata = await this.metadata(version);
    const path = join(this.versionDir(version), MODEL_FILE);
    const loaded = await readModelFile(path, this.signingKey);
    if (loaded.model.version !== version) {
      throw new InputError(
        { file: displayPath(path) },
        `is the model of version ${loaded.model.version}, not of ${version}`,
      );
    }
    return { ...loaded, metadata };
  }

  /**
   * The model a command names: a version of this registry, a path to a model file or version
   * folder, or (no reference) the champion.
   */
  async find(reference: string | undefined, cwd: string): Promise<LoadedModel> {
    if (reference === undefined) {
      const champion = await this.championVersion();
      if (champion === null) {
        throw new UsageError(
          `no champion model in ${displayPath(this.dir)}: train one with churn train, or pass --model`,
        );
      }
      return this.load(champion);
    }
    if (isVersionId(reference)) return this.load(reference);
    const path = resolve(cwd, reference);
    const isFolder = await stat(path).then(
      (info) => info.isDirectory(),
      () => false,
    );
    return readModelFile(isFolder ? join(path, MODEL_FILE) : path, this.signingKey);
  }

  /** The champion's version; null when there is none. A damaged pointer is an input error. */
  async championVersion(): Promise<string | null> {
    const pointer = await this.readPointer();
    return pointer?.version ?? null;
  }

  /**
   * Makes a version the champion. It must load, checksum included; a version this process has
   * just saved has its bytes checked against the checksum instead of being loaded again. A
   * damaged pointer is replaced (this is how it is repaired); the previous champion is then unknown.
   */
  async promote(version: string, options: { justSaved?: boolean } = {}): Promise<string | null> {
    const dir = this.versionDir(version);
    return this.locked('promote', async () => {
      if (options.justSaved) await verifyModelChecksum(join(dir, MODEL_FILE), this.signingKey);
      else await this.load(version);
      const previous = (await this.readPointer().catch(() => null))?.version ?? null;
      const pointer: ChampionPointer = {
        version,
        promotedAt: new Date().toISOString(),
        previous: previous === version ? null : previous,
      };
      await this.writeDocument(
        CHAMPION_FILE,
        sealDocument('champion pointer', pointer, this.signingKey),
      );
      return previous;
    });
  }

  /**
   * Keeps `keep` versions and always the champion, and removes the others. Kept first: the
   * versions the champion could be rolled back to (every version not rejected: each was promoted
   * when saved, or won its comparison), newest first, then rejected challengers, newest first. So
   * a run of rejected retrains never pushes the earlier champions out. Returns what was removed.
   */
  async prune(keep: number): Promise<string[]> {
    return this.locked('prune', async () => {
      const { entries, championProblem } = await this.listing();
      if (championProblem !== null) {
        // Which version is the champion is unknown: removing any could remove it.
        throw new InputError(
          { file: displayPath(join(this.dir, CHAMPION_FILE)) },
          'is damaged, so pruning could remove the champion: run churn models doctor --repair first',
        );
      }
      const rejected = (entry: RegistryEntry) => entry.metadata.status === 'rejected';
      const ranked = [
        ...entries.filter((entry) => !rejected(entry)),
        ...entries.filter((entry) => rejected(entry)),
      ];
      const doomed = ranked.slice(keep).filter((entry) => !entry.champion);
      for (const entry of doomed) await this.removeVersion(entry.version);
      return doomed.map((entry) => entry.version);
    });
  }

  /** Moves a version folder out of the registry in one step, then deletes it. */
  async removeVersion(version: string): Promise<void> {
    await this.locked('remove a version', () =>
      removeDirectoryAtomic(this.versionDir(version)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === undefined) throw error;
        throw new InputError(
          { file: displayPath(this.versionDir(version)) },
          `cannot be removed (${error.message})`,
        );
      }),
    );
  }

  /**
   * Runs `body` holding the registry lock: what it changes, no other process changes meanwhile.
   * Changes made inside (save, promote, prune) do not lock again.
   */
  async locked<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (this.holdsLock) return body();
    const lock = await acquireRegistryLock(this.dir, operation, this.lockWaitMs);
    this.holdsLock = true;
    try {
      return await body();
    } finally {
      this.holdsLock = false;
      await lock.release();
    }
  }

  /** The pointer, checked; null when there is none. */
  async readPointer(): Promise<ChampionPointer | null> {
    return this.readDocument(
      'champion pointer',
      join(this.dir, CHAMPION_FILE),
      championPointerSchema,
      () => null,
    );
  }

  /** Replaces one of the registry's own files atomically; a write failure is an input error. */
  async writeDocument(name: string, text: string): Promise<void> {
    await writeFileAtomic(join(this.dir, name), text);
  }

  private async readDocument<T, Missing>(
    kind: DocumentKind,
    path: string,
    schema: z.ZodType<T>,
    whenMissing: () => Missing,
  ): Promise<T | Exclude<Missing, Error>> {
    const bytes = await readRegularFileIfExists(path, {
      kind: `${kind} file`,
      maxBytes: MAX_DOCUMENT_BYTES,
    });
    if (bytes === null) {
      const missing = whenMissing();
      if (missing instanceof Error) throw missing;
      return missing as Exclude<Missing, Error>;
    }
    return openDocument(kind, bytes.toString('utf8'), schema, path, this.signingKey);
  }

  private unknownVersion(version: string): string {
    return `no model version "${version}" in ${displayPath(this.dir)} (see churn models list)`;
  }
}

function metricsCsv(metadata: ModelMetadata): string {
  const { metrics, ratings } = metadata;
  const rows: Array<[string, number, string]> = [
    ['roc_auc', metrics.rocAuc, ratings.rocAuc],
    ['f2_score', metrics.f2, ratings.f2],
    ['f1_score', metrics.f1, ratings.f1],
    ['precision', metrics.precision, ratings.precision],
    ['recall', metrics.recall, ratings.recall],
    ['accuracy', metrics.accuracy, ratings.accuracy],
    ['threshold', metrics.threshold, ''],
  ];
  return (
    [
      'metric,value,rating',
      ...rows.map(([name, value, rating]) => `${name},${value},${rating}`),
    ].join('\n') + '\n'
  );
}
