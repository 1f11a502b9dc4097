/**
 * The registry behaves like a small database: names are checked, every document is sealed and
 * checked against its schema, a damaged version or pointer is isolated and reported, and
 * `churn models doctor` repairs it. Each case ran through the real CLI, as a user would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copySampleProject, runChurn, runStoppedAt, tempDir } from '../helpers/cli.js';
import { errorLines, resealDocument, rewriteModel, versionsIn } from '../helpers/registry-files.js';

const scratch = tempDir();
const dir = scratch.path;
const models = join(dir, 'outputs', 'models');
const churn = (args: string[], env: Record<string, string> = {}) =>
  runChurn(args, { cwd: dir, env });
const versions = () => versionsIn(models);
const championFile = () => join(models, 'champion.json');
const champion = () => JSON.parse(readFileSync(championFile(), 'utf8')).version as string;
const file = (version: string, name: string) => join(models, version, name);

let first: string;
let second: string;
const pristine = new Map<string, string>();

/** Puts every file of the two versions and the pointer back as trained. */
function restore(): void {
  for (const [path, text] of pristine) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }
  for (const name of readdirSync(models)) {
    if (name.startsWith('.quarantine')) rmSync(join(models, name), { recursive: true });
  }
}

beforeAll(async () => {
  copySampleProject(dir);
  for (let i = 0; i < 2; i++) {
    const trained = await churn(['train', '--trees', '8', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
  }
  [first, second] = versions().sort();
  for (const version of [first, second]) {
    for (const name of readdirSync(join(models, version))) {
      pristine.set(file(version, name), readFileSync(file(version, name), 'utf8'));
    }
  }
  pristine.set(championFile(), readFileSync(championFile(), 'utf8'));
});
beforeEach(restore);
afterAll(() => scratch.remove());

describe('version names', () => {
  it('are checked wherever a version is accepted: no path leads outside the registry', async () => {
    const outside = join(dir, 'other', second);
    mkdirSync(join(dir, 'other'), { recursive: true });
    execFileSync('cp', ['-r', join(models, second), outside]);
    for (const name of [`../../other/${second}`, `${first}/../${second}`, '..', 'champion.json']) {
      for (const args of [
        ['models', 'promote', name],
        ['models', 'show', name],
      ]) {
        const result = await churn(args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        expect(errorLines(result.stderr)).toEqual([
          `error: "${name}" is not a model version: versions look like ` +
            '20261126-223108-123-a1b2 (see churn models list)',
        ]);
      }
    }
    expect(readFileSync(championFile(), 'utf8')).toBe(pristine.get(championFile()));
    expect((await churn(['models', 'list'])).code).toBe(0);
  });
});

describe('the champion pointer', () => {
  it('when damaged, blocks no repair: list warns, promote and train replace it, predict refuses in one line', async () => {
    writeFileSync(championFile(), '{"version": "../../etc"');
    const listed = await churn(['models', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(2);
    expect(listed.stderr).toMatch(/the champion pointer is damaged/);

    const predicted = await churn(['predict', '--out', 'scored.csv']);
    expect(predicted.code).toBe(2);
    expect(errorLines(predicted.stderr)).toHaveLength(1);
    expect(predicted.stderr).toMatch(
      /champion\.json: is not a valid champion pointer: not valid JSON/,
    );
    expect(existsSync(join(dir, 'scored.csv'))).toBe(false);

    const promoted = await churn(['models', 'promote', first]);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(champion()).toBe(first);

    writeFileSync(championFile(), 'garbage');
    const before = versions().length;
    const trained = await churn(['train', '--trees', '5', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    expect(champion()).toBe(JSON.parse(trained.stdout).version);
    expect(versions()).toHaveLength(before + 1);
    rmSync(join(models, champion()), { recursive: true });
  });

  it('is sealed: an edited pointer is refused, naming the file', async () => {
    writeFileSync(championFile(), readFileSync(championFile(), 'utf8').replace(second, first));
    const result = await churn(['predict', '--out', 'scored.csv']);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual([
      `error: outputs/models/champion.json: fails its sha256 checksum: the champion pointer is damaged or was edited`,
    ]);
  });
});

/** A stored model as edited by hand: any shape at all. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModel = Record<string, any>;

describe('stored documents are checked by their schema, past the checksum', () => {
  const predict = () => churn(['predict', '--out', 'scored.csv', '--model', second]);
  const edits: Array<[string, (model: AnyModel) => void, RegExp]> = [
    [
      'a threshold as text',
      (m) => (m.threshold = '0.1'),
      /threshold: Invalid input: expected number/,
    ],
    ['a threshold above 1', (m) => (m.threshold = 2), /threshold: Too big/],
    ['schema as text', (m) => (m.schema = 'oops'), /schema: Invalid input/],
    [
      'a truncated feature list',
      (m) => m.schema.features.pop(),
      /schema\.features lists (\d+) features, the forest (?!\1)\d+/,
    ],
    [
      'a changed feature kind',
      (m) => {
        const feature = m.schema.features.find((f: AnyModel) => f.kind === 'numeric');
        feature.kind = 'categorical';
        feature.categories = ['a'];
      },
      /is categorical ".*", the forest's feature \d+ numeric/,
    ],
    [
      'a null reference',
      (m) => (m.schema.features[0].reference = null),
      /schema\.features\.0\.reference: Invalid input/,
    ],
    [
      'a score reference as text',
      (m) => (m.scoreReference = 'hello'),
      /scoreReference: Invalid input/,
    ],
  ];
  for (const [what, edit, message] of edits) {
    it(`refuses a model with ${what} before writing anything`, async () => {
      rewriteModel(file(second, 'model.json'), edit);
      const result = await predict();
      expect(result.code, result.stderr).toBe(2);
      const errors = errorLines(result.stderr);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/model\.json: is not a valid model: /);
      expect(errors[0]).toMatch(message);
      expect(existsSync(join(dir, 'scored.csv'))).toBe(false);
    });
  }

  it('refuses forged metadata: left out of list, refused by show and export-metrics', async () => {
    const path = file(second, 'metadata.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"rocAuc": [0-9.]+/, '"rocAuc": 0.999'));
    const listed = await churn(['models', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((entry: { version: string }) => entry.version)).toEqual([
      first,
    ]);
    expect(listed.stderr).toMatch(/1 damaged version\(s\) left out: run churn models doctor/);
    for (const args of [
      ['models', 'show', second],
      ['export-metrics', '--stdout'],
    ]) {
      const result = await churn(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(errorLines(result.stderr)).toEqual([
        `error: outputs/models/${second}/metadata.json: fails its sha256 checksum: the model metadata is damaged or was edited`,
      ]);
    }
  });

  it('isolates one version with broken metadata: list, promote and prune go on with the rest', async () => {
    resealDocument(file(first, 'metadata.json'), (content) => (content.metrics = null));
    const listed = await churn(['models', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).map((entry: { version: string }) => entry.version)).toEqual([
      second,
    ]);
    const shown = await churn(['models', 'show', first]);
    expect(shown.code).toBe(2);
    expect(errorLines(shown.stderr)).toEqual([
      `error: outputs/models/${first}/metadata.json: is not a valid model metadata: metrics: Invalid input: expected object, received null`,
    ]);
    expect((await churn(['models', 'promote', second])).code).toBe(0);
    const pruned = await churn(['models', 'prune', '--keep', '0', '--json']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout).removed).toEqual([]); // the one sound version is the champion
    expect(versions().sort()).toEqual([first, second]); // the damaged one is the doctor's
  });

  it('refuses a damaged evaluation.json in one line, exit code 2', async () => {
    writeFileSync(file(second, 'evaluation.json'), '{"curves": ');
    const result = await churn(['report', '--model', second, '--out', 'r.html']);
    expect(result.code, result.stderr).toBe(2);
    expect(errorLines(result.stderr)).toEqual([
      `error: outputs/models/${second}/evaluation.json: is not a valid model evaluation: not valid JSON (truncated or damaged?)`,
    ]);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });
});

describe('churn models doctor', () => {
  it('lists what is damaged (exit 2) and with --repair quarantines it and repoints the champion', async () => {
    expect((await churn(['models', 'doctor'])).code).toBe(0);
    writeFileSync(file(second, 'model.json'), '{"format": "churn-model"');
    const found = await churn(['models', 'doctor', '--json']);
    expect(found.code).toBe(2);
    const report = JSON.parse(found.stdout);
    expect(report.repaired).toBe(false);
    expect(
      report.findings.map((f: { kind: string; subject: string }) => [f.kind, f.subject]),
    ).toEqual([
      ['damaged version', second],
      ['champion pointer', 'champion.json'],
    ]);
    expect(errorLines(found.stderr)).toEqual([
      'error: 2 problem(s) in outputs/models: run churn models doctor --repair to fix them',
    ]);

    const repaired = await churn(['models', 'doctor', '--repair']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(versions()).toEqual([first]);
    expect(readdirSync(join(models, '.quarantine'))[0]).toMatch(new RegExp(`^${second}\\.`));
    expect(champion()).toBe(first); // the previous champion, sound
    expect((await churn(['models', 'doctor'])).code).toBe(0);
    const predicted = await churn(['predict', '--out', 'scored.csv']);
    expect(predicted.code, predicted.stderr).toBe(0);
  });

  it('removes the temporary files of dead runs, and only those', async () => {
    const killed = await runStoppedAt(
      dir,
      ['train', '--trees', '5'],
      '^open .*\\.tmp/metrics\\.csv',
    );
    expect(killed.signal).toBe('SIGKILL');
    writeFileSync(join(models, '.notes.1.tmp'), "not churn's");
    const leftovers = () => readdirSync(models).filter((name) => name.endsWith('.tmp'));
    expect(leftovers()).toHaveLength(2);
    const repaired = await churn(['models', 'doctor', '--repair', '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(JSON.parse(repaired.stdout).findings.map((f: { kind: string }) => f.kind)).toEqual([
      'leftover',
    ]);
    expect(leftovers()).toEqual(['.notes.1.tmp']);
    rmSync(join(models, '.notes.1.tmp'));
  });
});

describe('the environment, not a bug: exit code 2 and one line', () => {
  it('refuses a --models-dir that is a file, a folder where the lock goes, a read-only registry', async () => {
    writeFileSync(join(dir, 'plain'), 'x');
    const notAFolder = await churn(['models', 'list', '--models-dir', 'plain']);
    expect(notAFolder.code).toBe(2);
    expect(errorLines(notAFolder.stderr)).toEqual([
      'error: plain: is not a folder: the model registry (modelsDir, --models-dir) must be one',
    ]);

    mkdirSync(join(models, '.registry.lock'));
    const lockFolder = await churn(['models', 'promote', first]);
    expect(lockFolder.code).toBe(2);
    expect(errorLines(lockFolder.stderr)).toEqual([
      'error: outputs/models/.registry.lock: is a folder where churn keeps a lock file: remove it',
    ]);
    rmSync(join(models, '.registry.lock'), { recursive: true });

    for (const [args, at] of [
      [['models', 'prune', '--keep', '0'], '^rename .*models/\\d{8}-'],
      [['models', 'promote', first], '^open .*\\.registry\\.lock'],
    ] as const) {
      const readOnly = await runStoppedAt(dir, [...args], at, 'EROFS');
      expect(readOnly.code, readOnly.stderr).toBe(2);
      const errors = errorLines(readOnly.stderr);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/EROFS/);
      expect(errors[0]).not.toMatch(/unexpected failure/);
    }
    expect(versions().sort()).toEqual([first, second]);
  });

  it('refuses --model /dev/zero and a named pipe at once, like --data', async () => {
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    for (const model of ['/dev/zero', 'pipe']) {
      const started = Date.now();
      const result = await runChurn(['predict', '--model', model, '--out', 'scored.csv'], {
        cwd: dir,
        timeoutMs: 20_000,
      });
      expect(result.code, `${model}: ${result.stderr}`).toBe(2);
      expect(errorLines(result.stderr)).toEqual([
        `error: ${model}: is not a regular file (a device, pipe or socket): not a model file`,
      ]);
      expect(Date.now() - started).toBeLessThan(15_000);
    }
    rmSync(join(dir, 'pipe'));
  });
});

describe('signing (registry.signingKey)', () => {
  it('refuses a document edited with its checksum recomputed, which the checksum alone accepts', async () => {
    const key = { CHURN_REGISTRY_SIGNING_KEY: 'a long secret key for tests' };
    const trained = await churn(['train', '--trees', '5', '--json'], key);
    expect(trained.code, trained.stderr).toBe(0);
    const signed = JSON.parse(trained.stdout).version as string;
    expect(JSON.parse(readFileSync(file(signed, 'metadata.json'), 'utf8')).signature).toMatch(
      /^hmac-sha256:[0-9a-f]{64}$/,
    );
    expect((await churn(['predict', '--out', 'scored.csv'], key)).code).toBe(0);

    resealDocument(file(signed, 'metadata.json'), (content) => {
      (content.metrics as Record<string, number>).rocAuc = 0.999;
    });
    rewriteModel(file(signed, 'model.json'), (model) => (model.threshold = 0.01));
    // Without the key, only the checksums are checked, and they match.
    expect((await churn(['models', 'show', signed])).code).toBe(0);
    const shown = await churn(['models', 'show', signed], key);
    expect(shown.code).toBe(2);
    expect(errorLines(shown.stderr)).toEqual([
      `error: outputs/models/${signed}/metadata.json: has a signature that does not match ` +
        '(registry.signingKey): the model metadata was edited, or signed with another key',
    ]);
    const predicted = await churn(
      ['predict', '--out', 'scored.csv', '--model', file(signed, 'model.json')],
      key,
    );
    expect(predicted.code).toBe(2);
    expect(predicted.stderr).toMatch(
      /model\.json: is not signed, and this registry requires signatures/,
    );
    expect(predicted.stderr).not.toContain('a long secret key');
    rmSync(join(models, signed), { recursive: true });
    writeFileSync(championFile(), pristine.get(championFile())!);
  });
});
