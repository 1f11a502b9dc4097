/**
 * Real processes racing each other on one registry and one metrics folder. Every change of the
 * registry holds its lock, so whatever the interleaving the champion survives, and every run's
 * count reaches the running totals.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionsIn } from '../helpers/registry-files.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';

const scratch = tempDir();
const dir = scratch.path;
const models = join(dir, 'outputs', 'models');
const pristine = join(dir, 'pristine-models');
const churn = (args: string[]) => runChurn([...args, '--quiet'], { cwd: dir, timeoutMs: 120_000 });
const versions = () => versionsIn(models);
const champion = () => JSON.parse(readFileSync(join(models, 'champion.json'), 'utf8')).version;

/** The registry is whole: its champion is one of its versions, and it loads. */
async function expectSound(when: string): Promise<void> {
  expect(versions(), when).toContain(champion());
  const shown = await churn(['models', 'show', '--json']);
  expect(shown.code, `${when}: ${shown.stderr}`).toBe(0);
}

beforeAll(async () => {
  copySampleProject(dir);
  for (let i = 0; i < 6; i++) {
    const trained = await churn(['train', '--trees', '4']);
    expect(trained.code, trained.stderr).toBe(0);
  }
  cpSync(models, pristine, { recursive: true });
}, 300_000);
afterAll(() => scratch.remove());

describe('racing changes of the registry', () => {
  it('never lose the champion: promote an old version while prune runs, 20 times', async () => {
    const oldest = versions()[0];
    for (let trial = 0; trial < 20; trial++) {
      rmSync(models, { recursive: true });
      cpSync(pristine, models, { recursive: true });
      const [promoted, pruned] = await Promise.all([
        churn(['models', 'promote', oldest]),
        churn(['models', 'prune', '--keep', '1']),
      ]);
      const when = `trial ${trial}`;
      expect(pruned.code, `${when}: ${pruned.stderr}`).toBe(0);
      // Promoted first, the old version is the champion and stays; pruned first, it is gone and
      // promoting it is refused. Never both: a pointer to a removed version.
      if (promoted.code === 0) expect(champion(), when).toBe(oldest);
      else expect(promoted.stderr, when).toMatch(/no model version/);
      await expectSound(when);
    }
  }, 600_000);

  it('never lose the champion: prune everything it may while retrains save and promote', async () => {
    rmSync(models, { recursive: true });
    cpSync(pristine, models, { recursive: true });
    for (let round = 0; round < 3; round++) {
      const retrain = churn([
        'retrain',
        '--data',
        'data/new_batch_1.csv',
        '--min-improvement',
        '-1',
      ]);
      let done = false;
      void retrain.then(() => (done = true));
      const prunes: number[] = [];
      while (!done) prunes.push((await churn(['models', 'prune', '--keep', '0'])).code);
      const retrained = await retrain;
      expect(retrained.code, retrained.stderr).toBe(0);
      expect(
        prunes.every((code) => code === 0),
        prunes.join(' '),
      ).toBe(true);
      await expectSound(`round ${round}`);
      expect(versions(), `round ${round}`).toEqual([champion()]);
    }
  }, 600_000);
});

describe('concurrent scoring runs', () => {
  it('each add their rows to the running totals: six runs at once, none lost', async () => {
    rmSync(join(dir, 'outputs', 'metrics'), { recursive: true, force: true });
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        churn(['predict', '--data', 'data/new_batch_1.csv', '--out', `scored-${i}.csv`]),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, 'outputs', 'metrics', 'state.json'), 'utf8'));
    const total = Object.entries(state.totals as Record<string, Record<string, number>>)
      .filter(([group]) => group.startsWith('churn_predict'))
      .reduce((sum, [, totals]) => sum + (totals.churn_predictions_total ?? 0), 0);
    expect(total).toBe(6 * 2000);
  }, 300_000);
});
