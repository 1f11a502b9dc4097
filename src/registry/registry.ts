/**
 * The model registry: one folder per model version, created whole (model, metadata and metrics
 * CSV appear together or not at all), and a champion pointer replaced atomically.
 *
 *   outputs/models/
 *     champion.json                  {"version": "...", "promotedAt": "...", "previous": "..."}
 *     20261126-223108-123-a1b2/
 *       model.json                   what scoring needs, under a checksum (model-file.ts)
 *       metadata.json                metrics, row counts, durations, data fingerprint
 *       metrics.csv                  metric,value,rating
 *       evaluation.json              holdout curves and score histograms, for reports
 *       report.html                  the model report (churn report)
 */
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ChurnError, InputError, UsageError } from '../common/errors.js';
import { displayPath } from '../common/paths.js';
import { writeDirectoryAtomic, writeFileAtomic } from '../common/atomic-file.js';
import type {
  ConfusionMatrix,
  EvaluationCurves,
  ModelMetrics,
  RatedMetric,
} from '../evaluation/index.js';
import type { Rating } from '../evaluation/ratings.js';
import type { ModelParams } from '../forest/index.js';
import {
  readModelFile,
  verifyModelChecksum,
  writeModelFile,
  type LoadedModel,
  type ModelToSave,
} from './model-file.js';
import { isVersionId } from './version-id.js';

export const MODEL_FILE = 'model.json';
export const METADATA_FILE = 'metadata.json';
export const METRICS_FILE = 'metrics.csv';
export const EVALUATION_FILE = 'evaluation.json';
export const REPORT_FILE = 'report.html';
const CHAMPION_FILE = 'champion.json';

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
}

export interface RegistryEntry {
  version: string;
  createdAt: string;
  champion: boolean;
  metadata: ModelMetadata;
}

interface ChampionPointer {
  version: string;
  promotedAt: string;
  previous: string | null;
}

async function readMetadata(dir: string, whenMissing: () => Error): Promise<ModelMetadata> {
  const path = join(dir, METADATA_FILE);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw whenMissing();
    throw error;
  });
  return parseJson<ModelMetadata>(text, path);
}

function parseJson<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new InputError({ file: displayPath(path) }, 'is not valid JSON (damaged?)');
  }
}

export class ModelRegistry {
  constructor(readonly dir: string) {}

  versionDir(version: string): string {
    return join(this.dir, version);
  }

  /** Writes a version's folder whole; `curves` and `report` join it when given. */
  async save(
    model: ModelToSave,
    metadata: ModelMetadata,
    extras: { curves?: EvaluationCurves; report?: string } = {},
  ): Promise<string> {
    const target = this.versionDir(model.version);
    try {
      await writeDirectoryAtomic(target, {
        [MODEL_FILE]: (handle) => writeModelFile(handle, model),
        [METADATA_FILE]: JSON.stringify(metadata, null, 2) + '\n',
        [METRICS_FILE]: metricsCsv(metadata),
        ...(extras.curves
          ? { [EVALUATION_FILE]: JSON.stringify({ curves: extras.curves }) + '\n' }
          : {}),
        ...(extras.report ? { [REPORT_FILE]: extras.report } : {}),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined) throw error;
      throw new ChurnError(
        `cannot save model ${model.version} in ${displayPath(this.dir)}: ${code} ` +
          `(${(error as Error).message.split(':')[1]?.trim() ?? 'write failed'}); nothing was saved`,
      );
    }
    return join(target, MODEL_FILE);
  }

  /** Every complete version, newest first. */
  async list(): Promise<RegistryEntry[]> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const champion = await this.championVersion();
    const versions = names.filter(isVersionId).sort().reverse();
    const entries: RegistryEntry[] = [];
    for (const version of versions) {
      const metadata = await this.metadata(version);
      entries.push({
        version,
        createdAt: metadata.createdAt,
        champion: version === champion,
        metadata,
      });
    }
    return entries;
  }

  async metadata(version: string): Promise<ModelMetadata> {
    return readMetadata(
      this.versionDir(version),
      () => new UsageError(this.unknownVersion(version)),
    );
  }

  /** The metadata of the version folder a model file sits in (a model given by path). */
  metadataBeside(modelPath: string): Promise<ModelMetadata> {
    return readMetadata(
      dirname(modelPath),
      () =>
        new UsageError(
          `${displayPath(modelPath)} has no ${METADATA_FILE} beside it: ` +
            'give a model of a registry version folder',
        ),
    );
  }

  /** The holdout curves saved with a model; null for models saved before churn kept them. */
  async curvesBeside(modelPath: string): Promise<EvaluationCurves | null> {
    const path = join(dirname(modelPath), EVALUATION_FILE);
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) return null;
    return parseJson<{ curves: EvaluationCurves }>(text, path).curves;
  }

  /** A version's model, checksum verified, with its metadata (read first: it names an unknown version clearly). */
  async load(version: string): Promise<LoadedModel & { metadata: ModelMetadata }> {
    const metadata = await this.metadata(version);
    return { ...(await readModelFile(join(this.versionDir(version), MODEL_FILE))), metadata };
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
    return readModelFile(isFolder ? join(path, MODEL_FILE) : path);
  }

  async championVersion(): Promise<string | null> {
    const pointer = await this.readPointer();
    return pointer?.version ?? null;
  }

  /**
   * Makes a version the champion. It must load, checksum included; a version this process has
   * just saved has its bytes checked against the checksum instead of being loaded again.
   */
  async promote(version: string, options: { justSaved?: boolean } = {}): Promise<void> {
    if (options.justSaved) await verifyModelChecksum(join(this.versionDir(version), MODEL_FILE));
    else await this.load(version);
    const previous = await this.championVersion();
    const pointer: ChampionPointer = {
      version,
      promotedAt: new Date().toISOString(),
      previous: previous === version ? null : previous,
    };
    await writeFileAtomic(join(this.dir, CHAMPION_FILE), JSON.stringify(pointer, null, 2) + '\n');
  }

  /** Removes all but the `keep` newest versions, never the champion. Returns what was removed. */
  async prune(keep: number): Promise<string[]> {
    const entries = await this.list();
    const doomed = entries.slice(keep).filter((entry) => !entry.champion);
    for (const entry of doomed) {
      await rm(this.versionDir(entry.version), { recursive: true, force: true });
    }
    return doomed.map((entry) => entry.version);
  }

  private async readPointer(): Promise<ChampionPointer | null> {
    const path = join(this.dir, CHAMPION_FILE);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text === null) return null;
    try {
      const pointer = JSON.parse(text) as ChampionPointer;
      if (typeof pointer.version === 'string' && isVersionId(pointer.version)) return pointer;
    } catch {
      // reported below
    }
    throw new InputError({ file: displayPath(path) }, 'is not a valid champion pointer');
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
