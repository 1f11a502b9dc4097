/**
 * The server follows the registry's champion without a restart: a promotion is served within
 * seconds, every answer comes whole from one model, and a champion that cannot be loaded leaves
 * the model before it serving.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealDocument } from '../../src/registry/seal.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import {
  csvAsCustomers,
  postJson,
  startServer,
  trainedProject,
  type Project,
} from '../helpers/serve.js';

let project: Project;
let first: string;
let second: string;
/** Each version's answer for the batch below, from churn predict. */
const expected = new Map<string, number[]>();
let batch: Array<Record<string, unknown>>;

const championOf = (modelsDir: string) =>
  JSON.parse(readFileSync(join(modelsDir, 'champion.json'), 'utf8')).version as string;

async function probabilitiesOf(version: string): Promise<number[]> {
  const out = join(project.path, 'outputs', `${version}.csv`);
  await project.churn([
    'predict',
    '--data',
    'data/new_batch_2.csv',
    '--model',
    version,
    '--out',
    out,
    '--quiet',
  ]);
  const [, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
  return lines.slice(0, batch.length).map((line) => Number(line.split(',')[1]));
}

beforeAll(async () => {
  project = await trainedProject();
  first = championOf(project.modelsDir);
  await project.churn(['train', '--seed', '7', '--quiet']);
  second = championOf(project.modelsDir);
  await project.churn(['models', 'promote', first, '--quiet']);
  batch = csvAsCustomers(join(project.path, 'data', 'new_batch_2.csv')).slice(0, 50);
  for (const version of [first, second]) expected.set(version, await probabilitiesOf(version));
}, 180_000);

afterAll(() => project?.remove());

interface Answer {
  model_version: string;
  predictions: Array<{ churn_probability: number }>;
}

describe('following the champion', () => {
  it('serves a promoted version within seconds, each answer whole from one model', async () => {
    expect(expected.get(first)).not.toEqual(expected.get(second));
    const server = await startServer(project);
    try {
      expect(server.modelVersion()).toBe(first);
      const answers: Answer[] = [];
      let stop = false;
      // Four clients ask over and over while the champion changes under them.
      const clients = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const response = await postJson(server.url, batch);
          expect(response.status).toBe(200);
          answers.push((await response.json()) as Answer);
        }
      });
      const seen = async (version: string) => {
        const deadline = Date.now() + 5000;
        while (answers.at(-1)?.model_version !== version) {
          expect(Date.now(), `${version} not served within 5 s`).toBeLessThan(deadline);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      await project.churn(['models', 'promote', second, '--quiet']);
      await seen(second);
      await project.churn(['models', 'promote', first, '--quiet']);
      await seen(first);
      stop = true;
      await Promise.all(clients);
      const versions = new Set(answers.map((answer) => answer.model_version));
      expect([...versions].sort()).toEqual([first, second].sort());
      for (const answer of answers) {
        expect(answer.predictions.map((p) => p.churn_probability)).toEqual(
          expected.get(answer.model_version),
        );
      }
    } finally {
      await server.stop(1000);
    }
  });

  it('keeps serving its model when the new champion fails to load, and says why in /model', async () => {
    const server = await startServer(project);
    try {
      // A version trained elsewhere whose model file was damaged after it was written, made
      // champion behind the registry's back.
      const elsewhere = join(project.path, 'elsewhere');
      await project.churn(['train', '--models-dir', elsewhere, '--seed', '9', '--quiet']);
      const damaged = championOf(elsewhere);
      cpSync(join(elsewhere, damaged), join(project.modelsDir, damaged), { recursive: true });
      const modelFile = join(project.modelsDir, damaged, 'model.json');
      writeFileSync(modelFile, readFileSync(modelFile, 'utf8').replace('"trees":', '"trees" :'));
      const pointer = join(project.modelsDir, 'champion.json');
      const before = readFileSync(pointer, 'utf8');
      const content = { version: damaged, promotedAt: new Date().toISOString(), previous: first };
      writeFileSync(pointer, sealDocument('champion pointer', content, null));
      const deadline = Date.now() + 5000;
      let model: {
        version: string;
        champion: string;
        loadFailure: { version: string; message: string } | null;
      };
      do {
        await new Promise((resolve) => setTimeout(resolve, 100));
        model = await (await fetch(`${server.url}/model`)).json();
      } while (model.loadFailure === null && Date.now() < deadline);
      expect(model.version).toBe(first);
      expect(model.champion).toBe(damaged);
      expect(model.loadFailure?.version).toBe(damaged);
      expect(model.loadFailure?.message).toMatch(/fails its sha256 checksum/);
      const response = await postJson(server.url, batch);
      expect(((await response.json()) as Answer).model_version).toBe(first);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^churn_api_model_loads_total\{outcome="failed"\} 1$/m);
      writeFileSync(pointer, before);
    } finally {
      await server.stop(1000);
    }
  });

  it('keeps a pinned version whatever is promoted', async () => {
    const server = await startServer(project, { model: second });
    try {
      await project.churn(['models', 'promote', first, '--quiet']);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const answer = (await (await postJson(server.url, batch)).json()) as Answer;
      expect(answer.model_version).toBe(second);
      expect(answer.predictions.map((p) => p.churn_probability)).toEqual(expected.get(second));
    } finally {
      await server.stop(1000);
    }
  });
});

describe('a registry without a champion', () => {
  it('is alive but not ready, answers 503, and serves the first model trained', async () => {
    const scratch = tempDir();
    try {
      copySampleProject(scratch.path);
      const modelsDir = join(scratch.path, 'outputs', 'models');
      mkdirSync(modelsDir, { recursive: true });
      const server = await startServer({ path: scratch.path, modelsDir });
      try {
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        expect((await ready.json()).status).toBe('not_ready');
        const refused = await postJson(server.url, batch);
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('5');
        expect((await refused.json()).error.code).toBe('not_ready');

        const trained = await runChurn(['train', '--quiet'], {
          cwd: scratch.path,
          timeoutMs: 120_000,
        });
        expect(trained.code).toBe(0);
        const deadline = Date.now() + 5000;
        while ((await fetch(`${server.url}/readyz`)).status !== 200) {
          expect(Date.now()).toBeLessThan(deadline);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(server.modelVersion()).toBe(championOf(modelsDir));
        expect((await postJson(server.url, batch)).status).toBe(200);
      } finally {
        await server.stop(1000);
      }
    } finally {
      scratch.remove();
    }
  }, 120_000);
});
