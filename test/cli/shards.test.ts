/**
 * Sharded scoring with real processes: N runs of `churn predict --shard K/N` on one file, joined by
 * `--merge-shards`, give the bytes of scoring the whole file at once, for N = 1 to 5, on a file
 * whose quoted fields hold line breaks where the cuts fall.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../../src/data/csv-writer.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { PUSHGATEWAY } from '../helpers/monitoring-binaries.js';
import { requires } from '../helpers/prerequisites.js';
import { startPushgateway } from '../helpers/pushgateway.js';

const dir = tempDir();
afterAll(() => dir.remove());
const churn = (args: string[], env?: Record<string, string>) =>
  runChurn([...args, '--quiet'], { cwd: dir.path, env, timeoutMs: 90_000 });

/**
 * The shipped batch with a free-text column, quoted, most values over several lines (with quotes
 * and commas) and longer than the rest of the row, so that cut points fall inside such fields.
 */
function notesFile(): string {
  const [header, ...rows] = readFileSync(join(dir.path, 'data', 'new_batch_1.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(0, 400);
  const lines = rows.map((row, i) => {
    const note =
      i % 4 === 3
        ? `note ${i}`
        : `called on day ${i}, about the fees;\nsaid "maybe",\r\n`.repeat(1 + (i % 3)) + 'again';
    return `${csvField(note)},${row}`;
  });
  const path = join(dir.path, 'notes.csv');
  writeFileSync(path, [`nota,${header}`, ...lines].join('\n') + '\n');
  return path;
}

/** Offsets where shards of `count` are cut before moving to a record start, as shard.ts cuts. */
function cutsInsideQuotes(bytes: Buffer, count: number): number {
  const headerEnd = bytes.indexOf(0x0a) + 1;
  let inside = 0;
  for (let k = 1; k < count; k++) {
    const cut = headerEnd + Math.floor(((bytes.length - headerEnd) * k) / count);
    let quotes = 0;
    for (let at = 0; at < cut; at++) if (bytes[at] === 0x22) quotes++;
    if (quotes % 2 === 1) inside++;
  }
  return inside;
}

let data: string;
beforeAll(async () => {
  copySampleProject(dir.path);
  const trained = await churn(['train', '--trees', '15']);
  expect(trained.stderr).toBe('');
  data = notesFile();
}, 120_000);

describe('churn predict --shard', () => {
  it('joins N shards into the bytes of the whole run, for N = 1 to 5', async () => {
    const bytes = readFileSync(data);
    const insideQuotes = [2, 3, 4, 5].map((count) => cutsInsideQuotes(bytes, count));
    expect(insideQuotes.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(3);

    const whole = await churn(['predict', '--data', data, '--out', 'whole.csv', '--keep-columns']);
    expect(whole.code).toBe(0);
    const expected = readFileSync(join(dir.path, 'whole.csv'));
    expect(expected.toString().split('\n').length).toBeGreaterThan(500); // multi-line notes kept

    for (let count = 1; count <= 5; count++) {
      const runs = await Promise.all(
        Array.from({ length: count }, (_, index) =>
          churn([
            'predict',
            '--data',
            data,
            '--out',
            `scored-${count}.csv`,
            '--keep-columns',
            '--shard',
            `${index}/${count}`,
          ]),
        ),
      );
      for (const run of runs) expect(run).toMatchObject({ code: 0, stderr: '' });
      const parts = readdirSync(dir.path).filter((name) =>
        name.startsWith(`scored-${count}.shard-`),
      );
      expect(parts.sort()).toEqual(
        Array.from(
          { length: count },
          (_, index) => `scored-${count}.shard-${index}-of-${count}.csv`,
        ),
      );
      // Every shard has rows: the cuts spread the records.
      for (const part of parts) {
        expect(readFileSync(join(dir.path, part), 'utf8').split('\n').length).toBeGreaterThan(10);
      }
      const merged = await churn([
        'predict',
        '--merge-shards',
        '--shards',
        String(count),
        '--out',
        `scored-${count}.csv`,
        '--json',
      ]);
      expect(merged.code).toBe(0);
      expect(JSON.parse(merged.stdout)).toMatchObject({ shards: count, rows: 399 });
      expect(readFileSync(join(dir.path, `scored-${count}.csv`)).equals(expected)).toBe(true);
    }
  }, 300_000);

  it('takes K from JOB_COMPLETION_INDEX with --shards, and {shard} in --out names the file', async () => {
    const run = await churn(
      ['predict', '--data', data, '--out', 'k8s-{shard}.csv', '--shards', '3'],
      { JOB_COMPLETION_INDEX: '2' },
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(readdirSync(dir.path)).toContain('k8s-2-of-3.csv');

    const unset = await churn(['predict', '--data', data, '--shards', '3']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/JOB_COMPLETION_INDEX.*not set.*--shard K\/3/);
    const outside = await churn(['predict', '--data', data, '--shards', '3'], {
      JOB_COMPLETION_INDEX: '3',
    });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/"3": expected a shard number from 0 to 2/);
    const bad = await churn(['predict', '--data', data, '--shard', '3/3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard.*expected K\/N/);
  }, 120_000);

  it('refuses to merge while a shard output is missing, writing nothing', async () => {
    const run = await churn(['predict', '--data', data, '--out', 'partial.csv', '--shard', '0/2']);
    expect(run.code).toBe(0);
    const merged = await churn([
      'predict',
      '--merge-shards',
      '--shards',
      '2',
      '--out',
      'partial.csv',
    ]);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toMatch(
      /1 of 2 shard outputs are missing \(partial\.shard-1-of-2\.csv\)/,
    );
    expect(readdirSync(dir.path)).not.toContain('partial.csv');
  }, 120_000);

  requires(PUSHGATEWAY, 'that each shard pushes to a group of its own').it(
    'pushes each shard to its own group, with the shard count',
    async () => {
      const gateway = await startPushgateway();
      try {
        for (const index of [0, 1]) {
          const run = await churn([
            'predict',
            '--data',
            data,
            '--out',
            'pushed.csv',
            '--shard',
            `${index}/2`,
            '--pushgateway',
            gateway.url,
            '--strict-push',
          ]);
          expect(run).toMatchObject({ code: 0, stderr: '' });
        }
        const metrics = await gateway.churnMetrics();
        const shards = [...metrics.matchAll(/^churn_prediction_shards\{(.*)\} (\S+)$/gm)];
        expect(
          shards.map(([, labels, value]) => [labels.match(/shard="(\d)"/)?.[1], value]),
        ).toEqual([
          ['0', '2'],
          ['1', '2'],
        ]);
        const rows = [...metrics.matchAll(/^churn_predictions_by_risk_level\{.*\} (\d+)$/gm)];
        expect(rows).toHaveLength(6); // three levels, two shards
        expect(rows.map(([, value]) => Number(value)).reduce((a, b) => a + b)).toBe(399);
      } finally {
        await gateway.stop();
      }
    },
    120_000,
  );
});
