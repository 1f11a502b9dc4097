import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src/evaluation/index.js';
import { trainForest } from '../../src/forest/index.js';
import type { ModelToSave } from '../../src/registry/model-file.js';
import { ModelRegistry, type ModelMetadata } from '../../src/registry/registry.js';
import { isVersionId, newVersionId } from '../../src/registry/version-id.js';
import { tempDir } from '../helpers/cli.js';
import { temporaryPath } from '../../src/common/atomic-file.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

let clock = Date.UTC(2026, 10, 26, 12, 0, 0);

async function makeVersion(): Promise<{ model: ModelToSave; metadata: ModelMetadata }> {
  const values = Float64Array.from({ length: 40 }, (_, i) => i);
  const labels = Uint8Array.from({ length: 40 }, (_, i) => (i >= 25 ? 1 : 0));
  const { forest } = await trainForest(
    { features: [{ name: 'x', kind: 'numeric', values }], labels },
    { trees: 5, seed: 1, threads: 1 },
  );
  const createdAt = new Date((clock += 1000));
  const version = newVersionId(createdAt);
  const evaluation = evaluateModel(
    labels,
    forest.predictProba([{ name: 'x', kind: 'numeric', values }]),
    0.5,
  );
  const model: ModelToSave = {
    version,
    createdAt: createdAt.toISOString(),
    churnVersion: 'test',
    schema: {
      features: [{ name: 'x', kind: 'numeric', reference: { missing: 0, edges: [], shares: [1] } }],
      target: 'y',
      id: null,
      labels: { positive: '1', negative: '0' },
      ignored: [],
    },
    threshold: 0.5,
    beta: 2,
    forest,
  };
  const metadata = {
    version,
    createdAt: model.createdAt,
    churnVersion: 'test',
    data: {
      file: 'x.csv',
      sha256: '0',
      rowsRead: 40,
      missingTarget: 0,
      trainRows: 40,
      holdoutRows: 0,
      churnRate: 0.375,
    },
    params: forest.params,
    threshold: 0.5,
    beta: 2,
    ...evaluation,
    outOfBagFBeta: 0,
    featureImportances: { x: 1 },
    durations: { readSeconds: 0, trainingSeconds: 0, evaluationSeconds: 0 },
  } satisfies ModelMetadata;
  return { model, metadata };
}

describe('version ids', () => {
  it('sort in creation order and match their pattern', () => {
    const a = newVersionId(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)));
    const b = newVersionId(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 7)));
    expect(a).toMatch(/^20260102-030405-006-[0-9a-f]{4}$/);
    expect(isVersionId(a) && a < b).toBe(true);
  });
});

describe('ModelRegistry', () => {
  it('saves whole versions, lists them newest first, promotes and loads the champion', async () => {
    const registry = new ModelRegistry(join(dir.path, 'models'));
    const first = await makeVersion();
    const second = await makeVersion();
    await registry.save(first.model, first.metadata);
    await registry.save(second.model, second.metadata);
    expect(readdirSync(registry.versionDir(first.model.version)).sort()).toEqual([
      'metadata.json',
      'metrics.csv',
      'model.json',
    ]);
    expect(
      readFileSync(join(registry.versionDir(first.model.version), 'metrics.csv'), 'utf8'),
    ).toMatch(/^metric,value,rating\nroc_auc,1,excellent\n/);
    await registry.promote(first.model.version);
    const listed = await registry.list();
    expect(listed.map((entry) => [entry.version, entry.champion])).toEqual([
      [second.model.version, false],
      [first.model.version, true],
    ]);
    const loaded = await registry.find(undefined, dir.path);
    expect(loaded.model.version).toBe(first.model.version);
  });

  it('writes the model file in pieces, byte for byte the one JSON document under its sha256', async () => {
    const registry = new ModelRegistry(dir.path);
    const { model, metadata } = await makeVersion();
    const path = await registry.save(model, metadata);

    const payload = JSON.stringify({ ...model, forest: model.forest.toJSON() });
    const sha256 = createHash('sha256').update(payload).digest('hex');
    const expected = `{"format":"churn-model","schemaVersion":1,"sha256":"${sha256}","model":${payload}}`;
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('refuses a model file whose content was changed', async () => {
    const registry = new ModelRegistry(join(dir.path, 'models'));
    const { model, metadata } = await makeVersion();
    const path = await registry.save(model, metadata);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"threshold":0.5', '"threshold":0.1'));
    await expect(registry.load(model.version)).rejects.toThrow(/fails its sha256 checksum/);
    await expect(registry.promote(model.version)).rejects.toThrow(/checksum/);
  });

  it('promotes a version it has just saved on its checksum alone, and still refuses damage', async () => {
    const registry = new ModelRegistry(join(dir.path, 'models'));
    const { model, metadata } = await makeVersion();
    const path = await registry.save(model, metadata);
    const original = readFileSync(path, 'utf8');
    const damages: Array<[string, RegExp]> = [
      [original.replace('"threshold":0.5', '"threshold":0.1'), /fails its sha256 checksum/],
      [original.slice(0, -10) + '}', /fails its sha256 checksum/],
      [original + '\n', /fails its sha256 checksum/],
      [original.slice(0, original.indexOf('"model":') + 8), /fails its sha256 checksum/],
      ['{"hello": "world"}', /is not a churn model file/],
      ['', /is not a churn model file/],
    ];
    for (const [content, message] of damages) {
      writeFileSync(path, content);
      await expect(registry.promote(model.version, { justSaved: true })).rejects.toThrow(message);
      expect(await registry.championVersion()).toBeNull();
    }
    writeFileSync(path, original);
    await registry.promote(model.version, { justSaved: true });
    expect(await registry.championVersion()).toBe(model.version);
  });

  it('ignores the staging folder a killed run left behind, and clears it on the next save', async () => {
    const root = join(dir.path, 'models');
    const registry = new ModelRegistry(root);
    const { model, metadata } = await makeVersion();
    // A leftover staging folder of a process that no longer exists.
    const orphan = temporaryPath(join(root, model.version), undefined, 999_999_999);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, 'model.json'), '{"half":');
    expect(await registry.list()).toEqual([]);
    await registry.save(model, metadata);
    expect(readdirSync(root)).toEqual([model.version]);
  });

  it('prunes rejected challengers first, then the oldest earlier champions, never the champion', async () => {
    const registry = new ModelRegistry(join(dir.path, 'models'));
    const versions: string[] = [];
    // Two champions in turn, then two rejected challengers (a cron retraining on batches that
    // never win), then one more version that is not rejected.
    for (const status of [undefined, undefined, 'rejected', 'rejected', undefined] as const) {
      const { model, metadata } = await makeVersion();
      await registry.save(model, status ? { ...metadata, status } : metadata);
      versions.push(model.version);
    }
    await registry.promote(versions[1]);
    expect(await registry.prune(3)).toEqual([versions[3], versions[2]]);
    expect((await registry.list()).map((entry) => entry.version)).toEqual([
      versions[4],
      versions[1],
      versions[0],
    ]);
    // The champion is kept beside the newest N, whatever N.
    expect(await registry.prune(1)).toEqual([versions[0]]);
    expect((await registry.list()).map((entry) => entry.version)).toEqual([
      versions[4],
      versions[1],
    ]);
  });
});
