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

  it('predict killed at each step leaves the output, the running totals and the metrics as before or as after', async () => {
    const predict = (out: string) => [
      'predict',
      ...['--data', 'data/new_batch_1.csv', '--out', out, '--quiet'],
    ];
    const out = join(dir, 'outputs', 'scored.csv');
    const textfile = join(dir, 'outputs', 'metrics', 'churn_predict.prom');
    const stateFile = join(dir, 'outputs', 'metrics', 'state.json');
    const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : null);
    const scored = () =>
      existsSync(stateFile)
        ? ((
            JSON.parse(readFileSync(stateFile, 'utf8')) as {
              totals: Record<string, Record<string, number>>;
            }
          ).totals.churn_predict?.churn_predictions_total ?? 0)
        : 0;
    // What a whole run writes: scoring is deterministic, so every finished output is these bytes.
    const reference = await runChurn(predict('outputs/reference.csv'), { cwd: dir });
    expect(reference.code, reference.stderr).toBe(0);
    const finished = readFileSync(join(dir, 'outputs', 'reference.csv'), 'utf8');
    expect(finished.trimEnd().split('\n')).toHaveLength(2001);

    // In the order a run reaches them: the output, then the running totals, then the textfile.
    type State = 'before' | 'after';
    const steps: Array<[string, { output: State; totals: State }]> = [
      ['^open .*\\.scored\\.csv\\..*\\.tmp', { output: 'before', totals: 'before' }], // starting the output
      ['^rename .*\\.scored\\.csv\\..*\\.tmp', { output: 'before', totals: 'before' }], // moving it into place
      ['^open .*state\\.json\\..*\\.tmp', { output: 'after', totals: 'before' }], // recording the running totals
      ['^rename .*state\\.json\\..*\\.tmp', { output: 'after', totals: 'before' }],
      ['^open .*churn_predict\\.prom\\..*\\.tmp', { output: 'after', totals: 'after' }], // publishing the metrics
      ['^rename .*churn_predict\\.prom\\..*\\.tmp', { output: 'after', totals: 'after' }],
    ];
    for (const [step, expected] of steps) {
      writeFileSync(out, 'an earlier output\n');
      const metricsBefore = read(textfile);
      const totalBefore = scored();
      const stopped = await runStoppedAt(dir, predict('outputs/scored.csv'), step);
      expect(stopped.signal, step).toBe('SIGKILL');
      expect(readFileSync(out, 'utf8'), step).toBe(
        expected.output === 'before' ? 'an earlier output\n' : finished,
      );
      expect(scored(), step).toBe(totalBefore + (expected.totals === 'before' ? 0 : 2000));
      // The run dies before its textfile is in place: the last whole run's metrics stay.
      expect(read(textfile), step).toBe(metricsBefore);
    }

    const totalBefore = scored();
    const whole = await runChurn(predict('outputs/scored.csv'), { cwd: dir });
    expect(whole.code, whole.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(finished);
    expect(scored()).toBe(totalBefore + 2000);
    expect(read(textfile)).toMatch(/^churn_job_last_success_timestamp_seconds \S+$/m);
    expect(read(textfile)).toContain(`churn_predictions_total ${totalBefore + 2000}\n`);
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
