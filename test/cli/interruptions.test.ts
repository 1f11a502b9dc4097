/**
 * Runs stopped at their most delicate moments, by SIGKILL (a power cut) and by SIGTERM or SIGINT
 * (a scheduler, Ctrl-C): every file is as before or as after, never partial; a signalled run says
 * so, exits 143 or 130, removes what it was writing and releases its lock.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleProject, runChurn, runStoppedAt, tempDir } from '../helpers/cli.js';

/** Every file under a folder whose name marks it temporary. */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (/\.tmp$/.test(entry.name) || entry.name === '.retrain.lock')
        found.push(relative(dir, path));
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

describe('runs stopped midway', () => {
  const scratch = tempDir();
  const dir = scratch.path;
  const models = () => join(dir, 'outputs', 'models');
  const versions = () =>
    readdirSync(models())
      .filter((name) => /^\d{8}-/.test(name))
      .sort();
  const champion = () => JSON.parse(readFileSync(join(models(), 'champion.json'), 'utf8')).version;
  const complete = (version: string) =>
    ['model.json', 'metadata.json', 'metrics.csv', 'evaluation.json', 'report.html'].every((file) =>
      existsSync(join(models(), version, file)),
    );

  beforeAll(async () => {
    copySampleProject(dir);
    const trained = await runChurn(['train', '--trees', '20', '--quiet'], { cwd: dir });
    expect(trained.code, trained.stderr).toBe(0);
  });
  afterAll(() => scratch.remove());

  it('train killed at each step leaves the registry and champion as before or as after', async () => {
    const steps: Array<[string, 'before' | 'after']> = [
      ['^open .*\\.tmp/model\\.json', 'before'], // writing the version folder
      ['^open .*\\.tmp/report\\.html', 'before'], // its last file
      ['^rename .*models/\\.\\d{8}-.*\\.tmp ', 'before'], // moving it into place
      ['^open .*champion\\.json\\..*\\.tmp', 'after'], // promoting it
      ['^rename .*champion\\.json\\..*\\.tmp', 'after'],
    ];
    for (const [step, registry] of steps) {
      const before = versions();
      const championBefore = champion();
      const stopped = await runStoppedAt(dir, ['train', '--trees', '20', '--quiet'], step);
      expect(stopped.signal, step).toBe('SIGKILL');
      const added = versions().filter((version) => !before.includes(version));
      expect(added, step).toHaveLength(registry === 'before' ? 0 : 1);
      for (const version of versions()) expect(complete(version), `${step}: ${version}`).toBe(true);
      // The champion pointer is whole: the old champion, or the new version once it was written.
      expect([championBefore, ...added], step).toContain(champion());
      const listed = await runChurn(['models', 'list', '--json'], { cwd: dir });
      expect(listed.code, step).toBe(0);
    }
    // The next run clears what the dead ones left.
    expect((await runChurn(['train', '--trees', '20', '--quiet'], { cwd: dir })).code).toBe(0);
    expect(leftovers(dir)).toEqual([]);
  });

  it('predict killed at each step leaves the output and the metrics files as before or as after', async () => {
    const out = join(dir, 'outputs', 'scored.csv');
    const textfile = join(dir, 'outputs', 'metrics', 'churn_predict.prom');
    const steps = [
      '^open .*\\.scored\\.csv\\..*\\.tmp', // starting the output
      '^rename .*\\.scored\\.csv\\..*\\.tmp', // moving it into place
      '^open .*churn_predict\\.prom\\..*\\.tmp', // publishing the metrics
      '^open .*state\\.json\\..*\\.tmp', // recording the running totals
    ];
    for (const step of steps) {
      writeFileSync(out, 'an earlier output\n');
      const metricsBefore = existsSync(textfile) ? readFileSync(textfile, 'utf8') : null;
      const stopped = await runStoppedAt(
        dir,
        ['predict', '--data', 'data/new_batch_1.csv', '--out', 'outputs/scored.csv', '--quiet'],
        step,
      );
      expect(stopped.signal, step).toBe('SIGKILL');
      const output = readFileSync(out, 'utf8');
      if (output !== 'an earlier output\n') {
        const lines = output.trimEnd().split('\n');
        expect(lines, step).toHaveLength(2001);
        expect(lines.at(-1), step).toMatch(/^\d+,0\.\d+,[01],(low|medium|high)$/);
      }
      if (existsSync(textfile)) {
        const metrics = readFileSync(textfile, 'utf8');
        if (metrics !== metricsBefore)
          expect(metrics, step).toMatch(/churn_job_last_success_timestamp_seconds \S+\n/);
      }
    }
    expect(
      (
        await runChurn(
          ['predict', '--data', 'data/new_batch_1.csv', '--out', 'outputs/scored.csv', '--quiet'],
          { cwd: dir },
        )
      ).code,
    ).toBe(0);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a run stopped by SIGTERM or SIGINT says so, exits 143 or 130 and leaves nothing half-written', async () => {
    const cases: Array<[string[], string, NodeJS.Signals, number]> = [
      [['train', '--trees', '20'], '^open .*\\.tmp/metadata\\.json', 'SIGTERM', 143],
      [
        ['predict', '--data', 'data/new_batch_1.csv', '--out', 'outputs/scored.csv'],
        '^open .*\\.scored\\.csv\\..*\\.tmp',
        'SIGINT',
        130,
      ],
      [['retrain', '--data', 'data/new_batch_1.csv'], '^copyFile .* .*backup', 'SIGTERM', 143],
    ];
    for (const [args, step, signal, code] of cases) {
      const before = versions();
      const trainBefore = readFileSync(join(dir, 'data', 'train.csv'), 'utf8');
      const stopped = await runStoppedAt(dir, [...args, '--quiet'], step, signal);
      expect(stopped.code, args[0]).toBe(code);
      expect(stopped.stderr, args[0]).toContain(
        `error: interrupted by ${signal}: stopped before finishing`,
      );
      expect(stopped.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(leftovers(dir), args[0]).toEqual([]);
      expect(versions(), args[0]).toEqual(before);
      expect(readFileSync(join(dir, 'data', 'train.csv'), 'utf8'), args[0]).toBe(trainBefore);
      // The failure reached the metrics, and the log says what happened.
      const job = `churn_${args[0]}`;
      expect(readFileSync(join(dir, 'outputs', 'metrics', `${job}.prom`), 'utf8')).toMatch(
        /churn_job_last_failure_timestamp_seconds \d/,
      );
      const logs = readdirSync(join(dir, 'logs'))
        .map((file) => readFileSync(join(dir, 'logs', file), 'utf8'))
        .join('');
      expect(logs).toContain(`${args[0]} interrupted by ${signal}`);
    }
    // The retrain lock was released: the next retrain runs at once.
    expect(
      (
        await runChurn(['retrain', '--data', 'data/new_batch_1.csv', '--dry-run', '--quiet'], {
          cwd: dir,
        })
      ).code,
    ).toBe(0);
  });
});
