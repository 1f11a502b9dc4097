/**
 * Where churn finds its project: the nearest churn.config.json at or above the working
 * directory, so every subfolder of a clone uses the clone's registry, logs and outputs; and a
 * failed command outside any project leaves no folder behind.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHURN_BIN, copySampleProject, runChurn, tempDir } from '../helpers/cli.js';

const project = tempDir();
let version: string;

beforeAll(async () => {
  copySampleProject(project.path);
  for (const folder of ['src', 'docs']) mkdirSync(join(project.path, folder));
  const trained = await runChurn(['train', '--trees', '10', '--json'], { cwd: project.path });
  expect(trained.code, trained.stderr).toBe(0);
  version = (JSON.parse(trained.stdout) as { version: string }).version;
});
afterAll(() => project.remove());

describe('a project', () => {
  it("is found from a subfolder: models list sees the project's registry", async () => {
    const listed = await runChurn(['models', 'list', '--json'], { cwd: join(project.path, 'src') });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ version, champion: true }),
    ]);
  });

  it('predicts from a subfolder with the champion, into the project outputs', async () => {
    const docs = join(project.path, 'docs');
    const scored = await runChurn(['predict', '--data', '../data/new_batch_1.csv', '--json'], {
      cwd: docs,
    });
    expect(scored.code, scored.stderr).toBe(0);
    expect(JSON.parse(scored.stdout)).toMatchObject({ modelVersion: version, rows: 2000 });
    expect(existsSync(join(project.path, 'outputs', 'predictions.csv'))).toBe(true);
    // No stray folders where the commands ran: logs and outputs are the project's.
    for (const folder of ['src', 'docs']) {
      expect(readdirSync(join(project.path, folder)), folder).toEqual([]);
    }
  });

  it('is found by a churn installed elsewhere, as npm link installs it', async () => {
    const prefix = tempDir();
    try {
      mkdirSync(join(prefix.path, 'bin'));
      const linked = join(prefix.path, 'bin', 'churn');
      symlinkSync(CHURN_BIN, linked);
      const run = promisify(execFile);
      const { stdout } = await run(linked, ['models', 'list', '--json', '--quiet'], {
        cwd: join(project.path, 'docs'),
        env: { ...process.env, NO_COLOR: '1' },
      });
      expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ version })]);
    } finally {
      prefix.remove();
    }
  });
});

describe('outside a project', () => {
  it.each([
    [['predict', '--data', 'missing.csv']],
    [['train', '--data', 'missing.csv', '--target', 'saiu']],
    [['retrain', '--data', 'new.csv', '--base', 'base.csv', '--target', 'saiu']],
    [['report']],
    [['models', 'show']],
    [['export-metrics']],
    [['generate', '--out', 'no/such/folder/x.csv']],
  ])('a failed %j creates no folder', async (args) => {
    const empty = tempDir();
    try {
      const result = await runChurn(args, { cwd: empty.path });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^error: /m);
      expect(readdirSync(empty.path)).toEqual([]);
    } finally {
      empty.remove();
    }
  });

  it('a successful run still keeps its log in ./logs', async () => {
    const empty = tempDir();
    try {
      const result = await runChurn(['generate', '--rows', '5', '--out', 'g.csv'], {
        cwd: empty.path,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(empty.path).sort()).toEqual(['g.csv', 'logs']);
      const logs = join(empty.path, 'logs');
      const file = readdirSync(logs).find((name) => name.endsWith('.log'))!;
      const lines = readFileSync(join(logs, file), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { message: string; timestamp: string });
      // Held until the run succeeded, each line keeps the time it was logged at.
      expect(lines.map(({ message }) => message)).toEqual(
        expect.arrayContaining(['generate started', 'generate finished']),
      );
      const times = lines.map(({ timestamp }) => Date.parse(timestamp));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    } finally {
      empty.remove();
    }
  });
});
