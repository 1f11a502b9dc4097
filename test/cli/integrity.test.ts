/**
 * Models are data, checked on every load; secrets stay out of every line the tool writes.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/pushgateway.js';

describe('integrity and secrets', () => {
  const scratch = tempDir();
  const dir = scratch.path;
  let modelPath: string;
  let original: string;
  const churn = (args: string[], env: Record<string, string> = {}) =>
    runChurn(args, { cwd: dir, env });

  beforeAll(async () => {
    copySampleProject(dir);
    const trained = await churn(['train', '--trees', '10', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    modelPath = JSON.parse(trained.stdout).modelPath;
    original = readFileSync(modelPath, 'utf8');
  });
  afterAll(() => scratch.remove());

  it('refuses a tampered, truncated or emptied model with one clear line and exit 2', async () => {
    const damages: Array<[string, string, RegExp]> = [
      [
        'tampered',
        original.replace(/"threshold":([0-9.]+)/, '"threshold":0.01'),
        /fails its sha256 checksum/,
      ],
      [
        'truncated',
        original.slice(0, Math.floor(original.length / 2)),
        /is not a model file: not valid JSON \(truncated or damaged\?\)/,
      ],
      ['emptied', '', /is not a model file/],
      ['not a model', '{"hello": "world"}', /is not a churn model file/],
    ];
    for (const [damage, content, message] of damages) {
      writeFileSync(modelPath, content);
      for (const args of [
        ['predict', '--data', 'data/new_batch_1.csv', '--out', 'scored.csv'],
        ['report', '--out', 'r.html'],
        ['models', 'promote', basename(dirname(modelPath))],
      ]) {
        const result = await churn(args);
        expect(result.code, `${damage}: ${args[0]}`).toBe(2);
        const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
        expect(errors, `${damage}: ${args[0]}`).toHaveLength(1);
        expect(errors[0], `${damage}: ${args[0]}`).toMatch(message);
        expect(errors[0]).toContain('model.json');
      }
    }
    writeFileSync(modelPath, original);
    expect(readdirSync(dir)).not.toContain('scored.csv');
    expect(
      (await churn(['predict', '--data', 'data/new_batch_1.csv', '--out', 'scored.csv'])).code,
    ).toBe(0);
  });

  it('keeps Pushgateway credentials out of --json output, errors and logs, even when the push fails', async () => {
    const dead = `http://ana:hunter2@127.0.0.1:${await freePort()}`;
    const env = {
      CHURN_PUSHGATEWAY_RETRIES: '0',
      CHURN_PUSHGATEWAY_TOKEN: 'tok-123',
      CHURN_PUSHGATEWAY_PASSWORD: 'pw-456',
    };
    const runs = [
      await churn(
        ['train', '--trees', '10', '--json', '--pushgateway', dead, '--strict-push'],
        env,
      ),
      await churn(['export-metrics', '--pushgateway', dead], env),
      await churn(
        [
          'predict',
          '--data',
          'data/new_batch_1.csv',
          '--out',
          'scored.csv',
          '--json',
          '--pushgateway',
          dead,
          '--log-level',
          'debug',
        ],
        env,
      ),
    ];
    expect(runs.map((run) => run.code)).toEqual([3, 3, 0]);
    expect(runs[0].stderr).toMatch(/error: .*http:\/\/\*\*\*@127\.0\.0\.1/);
    const logs = readdirSync(join(dir, 'logs'))
      .map((file) => readFileSync(join(dir, 'logs', file), 'utf8'))
      .join('');
    for (const text of [...runs.flatMap((run) => [run.stdout, run.stderr]), logs]) {
      for (const secret of ['hunter2', 'tok-123', 'pw-456']) expect(text).not.toContain(secret);
    }
  });
});
