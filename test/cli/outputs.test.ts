/**
 * Every output goes through one guard, and exit code 2 means nothing changed: each refusal below
 * leaves every file as it was.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryPath } from '../../src/common/atomic-file.js';
import { errorLines, versionsIn } from '../helpers/registry-files.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { requires, superuser } from '../helpers/prerequisites.js';

const scratch = tempDir();
const dir = scratch.path;
const models = join(dir, 'outputs', 'models');
const churn = (args: string[], env: Record<string, string> = {}) =>
  runChurn(args, { cwd: dir, env });
const versions = () => versionsIn(models);
let version: string;
let modelText: string;

beforeAll(async () => {
  copySampleProject(dir);
  const trained = await churn(['train', '--trees', '8', '--json']);
  expect(trained.code, trained.stderr).toBe(0);
  version = JSON.parse(trained.stdout).version;
  modelText = readFileSync(join(models, version, 'model.json'), 'utf8');
});
afterAll(() => scratch.remove());

const predict = (out: string) => churn(['predict', '--data', 'data/new_batch_1.csv', '--out', out]);

describe('the output guard', () => {
  it("refuses the registry's own files as --out, for predict and report, leaving the model whole", async () => {
    const targets = [
      `outputs/models/${version}/model.json`,
      'outputs/models/champion.json',
      `outputs/models/${version}/new.csv`,
      'outputs/metrics/state.json',
    ];
    for (const out of targets) {
      for (const run of [() => predict(out), () => churn(['report', '--out', out])]) {
        const result = await run();
        expect(result.code, `${out}: ${result.stderr}`).toBe(2);
        expect(errorLines(result.stderr)).toHaveLength(1);
        expect(result.stderr).toMatch(
          /is inside (the model registry|the running totals) .*whose files churn writes itself/,
        );
      }
    }
    expect(readFileSync(join(models, version, 'model.json'), 'utf8')).toBe(modelText);
    expect(readdirSync(join(models, version))).not.toContain('new.csv');
  });

  requires(
    [superuser('to make a device node with mknod')],
    'that a device, a pipe or a link to one is refused as --out',
  ).it(
    'refuses a device or a pipe as --out (as root a rename would replace it), also behind a link',
    async () => {
      execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      symlinkSync(join(dir, 'null'), join(dir, 'link-to-null'));
      for (const out of ['null', 'fifo', 'link-to-null']) {
        const result = await predict(out);
        expect(result.code, `${out}: ${result.stderr}`).toBe(2);
        expect(errorLines(result.stderr)).toEqual([
          `error: --out ${out} is a special file (a device, pipe or socket), not a regular file: ` +
            'churn replaces the files it writes, so it never writes there',
        ]);
      }
      expect(statSync(join(dir, 'null')).isCharacterDevice()).toBe(true);
      expect(statSync(join(dir, 'fifo')).isFIFO()).toBe(true);
    },
  );

  it('refuses a folder (dir/new/) and a folder that does not exist, as the docs promise', async () => {
    mkdirSync(join(dir, 'reports'), { recursive: true });
    const slash = await predict('reports/new/');
    expect(slash.code).toBe(2);
    expect(errorLines(slash.stderr)).toEqual([
      'error: --out reports/new/ names a folder: give a file name',
    ]);
    expect(existsSync(join(dir, 'reports', 'new'))).toBe(false);

    const missing = await predict('nowhere/deeper/scored.csv');
    expect(missing.code).toBe(2);
    expect(errorLines(missing.stderr)).toEqual([
      'error: nowhere/deeper/scored.csv: cannot be written (ENOENT: no such folder nowhere/deeper; create it first)',
    ]);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);

    const folder = await churn(['report', '--out', 'reports']);
    expect(folder.code).toBe(2);
    expect(errorLines(folder.stderr)).toEqual([
      'error: --out reports is a folder: give a file name',
    ]);
  });

  it('keeps files in the output folder that merely look like temporary leftovers', async () => {
    mkdirSync(join(dir, 'scores'), { recursive: true });
    const dead = Number(
      execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']),
    );
    const lookalikes = [`.notes.txt.${dead}-abcd1234.tmp`, `.scored.csv.${dead}-0badc0de.tmp`];
    for (const name of lookalikes) writeFileSync(join(dir, 'scores', name), 'a user file');
    const leftover = temporaryPath(join(dir, 'scores', 'scored.csv'), undefined, dead);
    writeFileSync(leftover, 'half a file of a dead run');
    expect((await predict('scores/scored.csv')).code).toBe(0);
    expect(readdirSync(join(dir, 'scores')).sort()).toEqual([...lookalikes, 'scored.csv'].sort());
  });
});

describe('exit code 2 means nothing changed', () => {
  it('with an unreadable pushgateway.caFile, train, predict and retrain refuse before writing anything', async () => {
    const env = {
      CHURN_PUSHGATEWAY_URL: 'https://127.0.0.1:9',
      CHURN_PUSHGATEWAY_CA_FILE: join(dir, 'no-such-ca.pem'),
    };
    const base = readFileSync(join(dir, 'data', 'train.csv'), 'utf8');
    const before = versions();
    const champion = readFileSync(join(models, 'champion.json'), 'utf8');
    const dataFiles = readdirSync(join(dir, 'data')).sort();
    for (const args of [
      ['train', '--trees', '5'],
      ['predict', '--data', 'data/new_batch_1.csv', '--out', 'ca-scored.csv'],
      ['retrain', '--data', 'data/new_batch_1.csv', '--min-improvement', '-1'],
    ]) {
      const result = await churn(args, env);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(errorLines(result.stderr)).toEqual([
        'error: pushgateway.caFile no-such-ca.pem cannot be read (ENOENT)',
      ]);
    }
    expect(versions()).toEqual(before);
    expect(readFileSync(join(models, 'champion.json'), 'utf8')).toBe(champion);
    expect(readFileSync(join(dir, 'data', 'train.csv'), 'utf8')).toBe(base);
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(dataFiles); // no backup
    expect(existsSync(join(dir, 'ca-scored.csv'))).toBe(false);
  });
});

describe('secrets', () => {
  it('never show, even when a gateway echoes the request headers in its error body', async () => {
    const echo = createServer((request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      const headers = Object.entries(request.headers)
        .map(([name, value]) => `${name}: ${String(value)}`)
        .join('\n');
      response.writeHead(401, { 'Content-Type': 'text/plain' });
      response.end(`unauthorized; you sent:\n${headers}`);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const port = (echo.address() as { port: number }).port;
    try {
      const runs = [
        await churn(
          ['export-metrics', '--pushgateway', `http://127.0.0.1:${port}`, '--log-dir', 'logs'],
          { CHURN_PUSHGATEWAY_TOKEN: 'tok-SECRET-4242', CHURN_PUSHGATEWAY_RETRIES: '0' },
        ),
        await churn(
          [
            'export-metrics',
            '--pushgateway',
            `http://ana:pw-SECRET-77@127.0.0.1:${port}`,
            '--log-dir',
            'logs',
          ],
          { CHURN_PUSHGATEWAY_RETRIES: '0' },
        ),
      ];
      const basic = Buffer.from('ana:pw-SECRET-77').toString('base64');
      const logs = readdirSync(join(dir, 'logs'))
        .filter((name) => name.endsWith('.log'))
        .map((name) => readFileSync(join(dir, 'logs', name), 'utf8'))
        .join('\n');
      for (const run of runs) {
        expect(run.code).toBe(3);
        expect(run.stderr).toMatch(/HTTP 401/);
        expect(run.stderr).toMatch(/authorization: \*\*\*/i);
      }
      for (const text of [...runs.map((run) => run.stderr + run.stdout), logs]) {
        for (const secret of ['tok-SECRET-4242', 'pw-SECRET-77', basic]) {
          expect(text).not.toContain(secret);
        }
      }
    } finally {
      echo.close();
    }
  });
});
