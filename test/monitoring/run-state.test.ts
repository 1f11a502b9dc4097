import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunState, STATE_FILE } from '../../src/monitoring/run-state.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const folder = (name: string) => {
  const path = join(dir.path, name);
  mkdirSync(path, { recursive: true });
  return path;
};

describe('the home that keeps running totals', () => {
  it('is named after the host once, written only when something is counted, and kept', async () => {
    const metrics = folder('a/outputs/metrics');
    const fresh = await RunState.open(metrics);
    expect(fresh.home).toMatch(/^[\w.-]+-[0-9a-f]{6}$/);
    expect(existsSync(join(metrics, STATE_FILE))).toBe(false);
    expect(await fresh.add('churn_predict', 'churn_predictions_total', 2000)).toBe(2000);
    const again = await RunState.open(metrics);
    expect(again.home).toBe(fresh.home);
    expect(await again.add('churn_predict', 'churn_predictions_total', 2000)).toBe(4000);
    expect((await RunState.open(metrics)).total('churn_predict', 'churn_predictions_total')).toBe(
      4000,
    );
  });

  it('saves a new home before anything is pushed under its name', async () => {
    const metrics = folder('b');
    const state = await RunState.open(metrics);
    await state.save();
    expect((await RunState.open(metrics)).home).toBe(state.home);
  });

  it('starts a home of its own, from zero, in a copied or moved project', async () => {
    const original = folder('original/metrics');
    const state = await RunState.open(original);
    await state.add('churn_predict', 'churn_predictions_total', 8000);
    const copy = join(dir.path, 'copy', 'metrics');
    cpSync(original, copy, { recursive: true });
    const copied = await RunState.open(copy);
    expect(copied.home).not.toBe(state.home);
    expect(copied.total('churn_predict', 'churn_predictions_total')).toBe(0);
    // The original is untouched and goes on counting where it was.
    const reopened = await RunState.open(original);
    expect(reopened.home).toBe(state.home);
    expect(reopened.total('churn_predict', 'churn_predictions_total')).toBe(8000);
  });

  it('takes its name from metrics.home, counting afresh when the name changes', async () => {
    const metrics = folder('c');
    const named = await RunState.open(metrics, 'demo');
    expect(named.home).toBe('demo');
    await named.add('churn_retrain', 'churn_retraining_total:kept', 1);
    expect(
      (await RunState.open(metrics, 'demo')).total('churn_retrain', 'churn_retraining_total:kept'),
    ).toBe(1);
    expect((await RunState.open(metrics)).home).toBe('demo');
    const renamed = await RunState.open(metrics, 'classroom');
    expect(renamed.home).toBe('classroom');
    expect(renamed.total('churn_retrain', 'churn_retraining_total:kept')).toBe(0);
  });

  it('counts afresh from a damaged state file or one of churn before homes', async () => {
    for (const text of [
      '{not json',
      JSON.stringify({ churn_predict: { churn_predictions_total: 6000 } }),
    ]) {
      const metrics = folder(`legacy-${text.length}`);
      writeFileSync(join(metrics, STATE_FILE), text);
      const state = await RunState.open(metrics);
      expect(state.total('churn_predict', 'churn_predictions_total')).toBe(0);
      await state.add('churn_predict', 'churn_predictions_total', 1);
      expect(JSON.parse(readFileSync(join(metrics, STATE_FILE), 'utf8'))).toMatchObject({
        home: state.home,
        totals: { churn_predict: { churn_predictions_total: 1 } },
      });
    }
  });

  it('sums a job over its groups', async () => {
    const state = await RunState.open(folder('d'));
    await state.add('churn_predict', 'churn_predictions_total', 100);
    await state.add('churn_predict/instance=a', 'churn_predictions_total', 20);
    await state.add('churn_predict_other', 'churn_predictions_total', 3);
    expect(state.jobTotal('churn_predict', 'churn_predictions_total')).toBe(120);
  });
});
