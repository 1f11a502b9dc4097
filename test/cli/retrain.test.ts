import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copySampleProject, runChurn, runStoppedAt, tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(async () => {
  dir = tempDir();
  copySampleProject(dir.path);
  const trained = await churn(['train', '--trees', '15']);
  expect(trained.code).toBe(0);
});
afterEach(() => dir.remove());

const churn = (args: string[]) =>
  runChurn([...args, '--quiet'], { cwd: dir.path, timeoutMs: 60_000 });
const base = () => join(dir.path, 'data', 'train.csv');
const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').length;
const versions = () =>
  readdirSync(join(dir.path, 'outputs', 'models')).filter((n) => /^\d{8}-/.test(n));
const champion = () =>
  JSON.parse(readFileSync(join(dir.path, 'outputs', 'models', 'champion.json'), 'utf8')).version;

describe('churn retrain', () => {
  it('promotes a challenger that wins and keeps the champion otherwise, marking the loser rejected', async () => {
    const before = champion();
    const kept = await churn([
      'retrain',
      '--data',
      'data/new_batch_1.csv',
      '--min-improvement',
      '1',
      '--json',
    ]);
    expect(kept.code).toBe(0);
    const keptResult = JSON.parse(kept.stdout);
    expect(Object.keys(keptResult).sort()).toEqual([
      'challenger',
      'champion',
      'holdout',
      'live',
      'outcome',
      'promoted',
      'rows',
    ]);
    expect(keptResult).toMatchObject({ outcome: 'kept', promoted: false });
    expect(keptResult.champion.version).toBe(before);
    expect(keptResult.rows).toEqual({
      base: 6000,
      new: 2000,
      duplicates: 0,
      updated: 0,
      merged: 8000,
    });
    // Labels arrived: the champion was judged on the 2000 new rows before they were merged, as
    // churn evaluate would judge it, and that went to its history.
    const evaluated = JSON.parse(
      (await churn(['evaluate', '--data', 'data/new_batch_1.csv', '--json'])).stdout,
    );
    expect(keptResult.live).toMatchObject({ by: 'retrain', batch: 'new_batch_1', rows: 2000 });
    expect(keptResult.live.metrics).toEqual(evaluated.live);
    const history = JSON.parse((await churn(['models', 'show', before, '--json'])).stdout)
      .evaluations as Array<{ by: string }>;
    expect(history.map((entry) => entry.by)).toEqual(['retrain', 'evaluate']);
    // Both are judged on 15% of the merged rows; the champion's own figures, on 15% of the base
    // rows, are the ones `models list` shows, and differ.
    expect(keptResult.holdout).toEqual({ rows: 1200 });
    const listed = JSON.parse((await churn(['models', 'list', '--json'])).stdout) as Array<{
      version: string;
      metrics: { f2: number };
    }>;
    const ownF2 = listed.find((entry) => entry.version === before)!.metrics.f2;
    expect(keptResult.champion.ownHoldout).toMatchObject({ rows: 900, metrics: { f2: ownF2 } });
    expect(keptResult.champion.metrics.f2).not.toBe(ownF2);
    expect(champion()).toBe(before);
    const rejected = JSON.parse(
      readFileSync(
        join(dir.path, 'outputs', 'models', keptResult.challenger.version, 'metadata.json'),
        'utf8',
      ),
    );
    expect(rejected.status).toBe('rejected');

    const promoted = JSON.parse(
      (
        await churn([
          'retrain',
          '--data',
          'data/new_batch_2.csv',
          '--min-improvement',
          '-1',
          '--json',
        ])
      ).stdout,
    );
    expect(promoted).toMatchObject({ outcome: 'promoted', promoted: true });
    expect(champion()).toBe(promoted.challenger.version);
    const prom = readFileSync(join(dir.path, 'outputs', 'metrics', 'churn_retrain.prom'), 'utf8');
    expect(prom).toMatch(/churn_retraining_total\{outcome="promoted"\} 1/);
    expect(prom).toMatch(/churn_retraining_total\{outcome="kept"\} 1/);
  });

  it('deduplicates a batch that arrives twice, backs up the base file, and writes nothing on a dry run', async () => {
    const original = readFileSync(base(), 'utf8');
    const dry = JSON.parse(
      (await churn(['retrain', '--data', 'data/new_batch_1.csv', '--dry-run', '--json'])).stdout,
    );
    expect(dry.challenger.version).toBeNull();
    expect(readFileSync(base(), 'utf8')).toBe(original);
    expect(versions()).toHaveLength(1);

    expect((await churn(['retrain', '--data', 'data/new_batch_1.csv'])).code).toBe(0);
    const backups = readdirSync(join(dir.path, 'data')).filter((name) => name.includes('backup'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir.path, 'data', backups[0]), 'utf8')).toBe(original);
    expect(lines(base())).toBe(8001);

    // The same batch again adds nothing: it ends at once, trains nothing, writes nothing.
    const merged = readFileSync(base(), 'utf8');
    const registryBefore = versions();
    const historyBefore = JSON.parse((await churn(['models', 'show', '--json'])).stdout).evaluations
      .length;
    const again = await churn(['retrain', '--data', 'data/new_batch_1.csv', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      outcome: 'unchanged',
      promoted: false,
      champion: { version: champion() },
      rows: { base: 8000, new: 2000, duplicates: 2000, updated: 0, merged: 8000 },
    });
    expect(readFileSync(base(), 'utf8')).toBe(merged);
    expect(readdirSync(join(dir.path, 'data')).filter((name) => name.includes('backup'))).toEqual(
      backups,
    );
    expect(versions()).toEqual(registryBefore);
    expect(JSON.parse((await churn(['models', 'show', '--json'])).stdout).evaluations.length).toBe(
      historyBefore,
    );
    const prom = readFileSync(join(dir.path, 'outputs', 'metrics', 'churn_retrain.prom'), 'utf8');
    expect(prom).toMatch(/churn_retraining_total\{outcome="unchanged"\} 1/);
    expect(prom).toMatch(/churn_retraining_total\{outcome="(kept|promoted)"\} 1/);

    // A row whose values changed is something new: the newer row wins and a challenger is grown.
    const rows = readFileSync(join(dir.path, 'data', 'new_batch_1.csv'), 'utf8').split('\n');
    const [first, ...rest] = rows[1].split(',');
    const flipped = [first, ...rest.slice(0, -2), rest.at(-2) === '1' ? '0' : '1', rest.at(-1)];
    writeFileSync(join(dir.path, 'one-changed.csv'), [rows[0], flipped.join(',')].join('\n'));
    const changed = JSON.parse(
      (await churn(['retrain', '--data', 'one-changed.csv', '--json'])).stdout,
    );
    expect(changed.outcome).not.toBe('unchanged');
    expect(changed.rows).toEqual({ base: 8000, new: 1, duplicates: 1, updated: 1, merged: 8000 });
    // No new customer among them: nothing to judge the champion on.
    expect(changed.live).toBeNull();
  });

  it('prunes rejected challengers before the earlier champions it could roll back to', async () => {
    const first = champion();
    expect((await churn(['train', '--trees', '15', '--seed', '7'])).code).toBe(0);
    const second = champion();
    for (const batch of ['data/new_batch_1.csv', 'data/new_batch_2.csv']) {
      const kept = await churn(['retrain', '--data', batch, '--min-improvement', '1', '--json']);
      expect(JSON.parse(kept.stdout).outcome).toBe('kept');
    }
    expect(versions()).toHaveLength(4);
    const pruned = JSON.parse(
      (await churn(['models', 'prune', '--keep', '2', '--json'])).stdout,
    ).removed;
    expect(versions().sort()).toEqual([first, second].sort());
    expect(pruned).toHaveLength(2);
    expect(champion()).toBe(second);
  });

  it('prints its verdict, the row counts as every other output writes them, and both holdouts', async () => {
    const dryRun = await churn(['retrain', '--data', 'data/new_batch_1.csv', '--dry-run']);
    expect(dryRun.code).toBe(0);
    const [verdict, rows, live, merged, own] = dryRun.stdout.split('\n');
    expect(verdict).toMatch(
      /^would (keep the champion|promote the challenger) \(dry run: nothing written\)$/,
    );
    expect(rows).toBe('  rows: 6,000 base + 2,000 new − 0 duplicates = 8,000');
    expect(live).toMatch(
      /^ {2}the champion on the 2,000 new rows, before merging them: ROC AUC 0\.\d{4}, F2 0\.\d{4}$/,
    );
    expect(merged).toMatch(
      /^ {2}F2 on the merged holdout \(1,200 rows, the champion's own among them\): /,
    );
    expect(own).toMatch(/^ {2}\(on its own holdout of 900 rows, as churn models list shows it, /);

    const run = await churn([
      'retrain',
      '--data',
      'data/new_batch_1.csv',
      '--min-improvement',
      '-1',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('promoted the challenger');
    expect(run.stdout).toMatch(
      /^ {2}rows: 6,000 base \+ 2,000 new − 0 duplicates = 8,000; base backed up to /m,
    );
  });

  it('refuses a batch whose columns differ, changing nothing', async () => {
    const original = readFileSync(base(), 'utf8');
    const rows = readFileSync(join(dir.path, 'data', 'new_batch_1.csv'), 'utf8').split('\n');
    writeFileSync(
      join(dir.path, 'odd.csv'),
      [rows[0].replace('idade', 'age'), ...rows.slice(1)].join('\n'),
    );
    const refused = await churn(['retrain', '--data', 'odd.csv']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /odd\.csv, line 1: lacks the base file's column\(s\) "idade"; has column\(s\) the base file lacks: "age"/,
    );
    expect(readFileSync(base(), 'utf8')).toBe(original);
    expect(versions()).toHaveLength(1);
  });

  it("names a bad target in the new file at the user's file and line, not the merged scratch", async () => {
    const original = readFileSync(base(), 'utf8');
    const rows = readFileSync(join(dir.path, 'data', 'new_batch_1.csv'), 'utf8').split('\n');
    // Line 1500 of the new file (the header is line 1): its target becomes a third value.
    rows[1499] = rows[1499].replace(/,([01]),(\d+)$/, ',talvez,$2');
    writeFileSync(join(dir.path, 'odd.csv'), rows.join('\n'));
    const refused = await churn(['retrain', '--data', 'odd.csv']);
    expect(refused.code, refused.stderr).toBe(2);
    const errors = refused.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: odd\.csv, line 1500, column "saiu": is not a binary target/);
    expect(readFileSync(base(), 'utf8')).toBe(original);
    expect(readdirSync(join(dir.path, 'data')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it("lets one of two simultaneous runs work and the other refuse at once; takes over a dead run's lock", async () => {
    const [a, b] = await Promise.all([
      churn(['retrain', '--data', 'data/new_batch_1.csv']),
      churn(['retrain', '--data', 'data/new_batch_2.csv']),
    ]);
    expect([a.code, b.code].sort(), a.stderr + b.stderr).toEqual([0, 4]);
    // Which refusal the loser sees depends on whether the winner had written its pid yet.
    expect([a, b].find((r) => r.code === 4)!.stderr).toMatch(
      /another retrain (holds the lock .*pid \d+|is taking the lock .* right now)/,
    );

    writeFileSync(
      join(dir.path, 'outputs', 'models', '.retrain.lock'),
      JSON.stringify({
        pid: 999_999_999,
        host: (await import('node:os')).hostname(),
        startedAt: '2026-01-01T00:00:00Z',
      }),
    );
    expect((await churn(['retrain', '--data', 'data/new_batch_1.csv'])).code).toBe(0);
  });

  it('leaves the base file and the registry as before or as after when killed at any step', async () => {
    const original = readFileSync(base(), 'utf8');
    // The merge appends the new rows, none of them duplicates, under the base file's header.
    const merged =
      original +
      readFileSync(join(dir.path, 'data', 'new_batch_1.csv'), 'utf8').replace(/^.*\n/, '');
    // Each step, where the base file must be when the run dies there, and whether the
    // challenger's version is in the registry yet. The champion never changes before the end.
    const steps: Array<[string, 'before' | 'after', 'saved' | 'not saved']> = [
      ['^open .*/\\.train\\.csv\\.\\d+-.*\\.tmp', 'before', 'not saved'], // writing the merged rows aside
      ['^copyFile .* .*backup', 'before', 'not saved'], // backing up the base file
      ['^rename .*/\\.train\\.csv\\.\\d+-.*\\.tmp .*train\\.csv$', 'before', 'not saved'], // replacing it
      ['^open .*\\.tmp/metrics\\.csv', 'after', 'not saved'], // saving the challenger
      ['^rename .*champion\\.json\\..*\\.tmp', 'after', 'saved'], // promoting it
    ];
    for (const [step, baseState, challenger] of steps) {
      const championBefore = champion();
      const versionsBefore = versions();
      const { signal } = await runStoppedAt(
        dir.path,
        ['retrain', '--data', 'data/new_batch_1.csv', '--min-improvement', '-1', '--quiet'],
        step,
      );
      expect(signal, step).toBe('SIGKILL');
      expect(
        readFileSync(base(), 'utf8') === (baseState === 'before' ? original : merged),
        step,
      ).toBe(true);
      const added = versions().filter((version) => !versionsBefore.includes(version));
      expect(added, step).toHaveLength(challenger === 'saved' ? 1 : 0);
      expect(champion(), step).toBe(championBefore);
      const listed = JSON.parse((await churn(['models', 'list', '--json'])).stdout) as Array<{
        version: string;
        champion: boolean;
      }>;
      expect(listed.map((entry) => entry.version).sort(), step).toEqual(versions().sort());
      expect(
        listed.filter((entry) => entry.champion).map((entry) => entry.version),
        step,
      ).toEqual([championBefore]);
      // Reset for the next step: the lock of the killed run is stale and is taken over.
      writeFileSync(base(), original);
    }
    // Whatever the killed runs left (the merged rows, a backup's copy, a version folder, the
    // locks) the next run removes or takes over: no temporary file of any kind is left.
    expect((await churn(['retrain', '--data', 'data/new_batch_1.csv'])).code).toBe(0);
    for (const folder of ['data', join('outputs', 'models')]) {
      expect(
        readdirSync(join(dir.path, folder)).filter((name) => name.endsWith('.tmp')),
        folder,
      ).toEqual([]);
    }
  });
});
