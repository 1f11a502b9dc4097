import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/registry/registry.js';
import { newVersionId } from '../../src/registry/version-id.js';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';

describe('churn report', () => {
  const scratch = tempDir();
  const churn = (args: string[]) => runChurn(args, { cwd: scratch.path });
  let version: string;

  beforeAll(async () => {
    copySampleProject(scratch.path);
    const trained = await churn(['train', '--json', '--trees', '30']);
    expect(trained.code, trained.stderr).toBe(0);
    version = JSON.parse(trained.stdout).version;
  });
  afterAll(() => scratch.remove());

  it('is saved by train beside each model, with the curves it is drawn from', () => {
    const folder = join(scratch.path, 'outputs', 'models', version);
    expect(readdirSync(folder).sort()).toEqual([
      'evaluation.json',
      'metadata.json',
      'metrics.csv',
      'model.json',
      'report.html',
    ]);
    const html = readFileSync(join(folder, 'report.html'), 'utf8');
    expect(html).toContain(`<title>churn model ${version}</title>`);
    expect(html).toContain('ROC curve');
    // Saved reports carry no champion badge: another train changes which model is champion.
    expect(html).not.toContain('class="badge champion"');
    const { curves, explanations } = JSON.parse(
      readFileSync(join(folder, 'evaluation.json'), 'utf8'),
    );
    expect(curves.rows).toBe(900);
    expect(curves.roc[0]).toEqual([0, 0]);
    // What drives the scores: TreeSHAP on 200 of the 900 held-out rows, every feature.
    expect(explanations).toMatchObject({ method: 'exact', rows: 200 });
    expect(explanations.features).toHaveLength(9);
    const [strongest] = explanations.features;
    expect(strongest).toMatchObject({ name: 'idade', direction: 'raises' });
    expect(html).toContain('What drives the scores');
    expect(html).toContain('aria-label="Dependence plot, idade"');
  });

  it('evaluates the model on a labelled file and shows its drift, self-contained', async () => {
    const result = await churn([
      'report',
      '--data',
      'data/new_batch_2.csv',
      '--out',
      'r.html',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ out: 'r.html', version });
    expect(
      document.sets.map((set: { title: string; rows: number }) => [set.title, set.rows]),
    ).toEqual([
      ['holdout', 900],
      ['data/new_batch_2.csv', 2000],
    ]);
    expect(document.sets[1].metrics.rocAuc).toBeGreaterThan(0.75);
    expect(document.drift.idade).toBeGreaterThan(0.2);
    expect(document.scoreDrift).toBeGreaterThan(0.1);

    const html = readFileSync(join(scratch.path, 'r.html'), 'utf8');
    expect(html).toContain('class="badge champion"');
    expect(html).toContain('Drift of data/new_batch_2.csv against the training data');
    for (const title of [
      'ROC curve',
      'Precision-recall curve',
      'Confusion matrix',
      'Score distribution by class',
      'What drives the scores',
      'Feature importances',
    ]) {
      expect(html).toContain(title);
    }
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=/i);
    // The only address is SVG's namespace name, which is never fetched.
    expect(
      html.match(/https?:\/\/[^"]+/g)?.every((url) => url === 'http://www.w3.org/2000/svg'),
    ).toBe(true);
  });

  it('explains a model saved before explanations on the --data rows instead', async () => {
    // The trained version saved again as an older churn would have: curves, no explanations.
    const registry = new ModelRegistry(join(scratch.path, 'outputs', 'models'));
    const { model, forest, metadata } = await registry.load(version);
    const older = newVersionId(new Date(Date.now() + 60_000));
    const curves = await registry.curvesBeside(join(registry.versionDir(version), 'model.json'));
    await registry.save(
      { ...model, version: older, forest },
      { ...metadata, version: older },
      { curves: curves! },
    );
    const bare = await churn(['report', '--model', older, '--out', 'older.html', '--quiet']);
    expect(bare.code, bare.stderr).toBe(0);
    const without = readFileSync(join(scratch.path, 'older.html'), 'utf8');
    expect(without).toContain('This model was saved before churn explained its scores');
    expect(without).not.toContain('Dependence plot');
    const withData = await churn([
      'report',
      '--model',
      older,
      '--data',
      'data/new_batch_2.csv',
      '--out',
      'older-data.html',
      '--quiet',
    ]);
    expect(withData.code, withData.stderr).toBe(0);
    const html = readFileSync(join(scratch.path, 'older-data.html'), 'utf8');
    expect(html).toContain('TreeSHAP on 200 rows of data/new_batch_2.csv');
    expect(html).toContain('aria-label="Dependence plot, idade"');
  });

  it('reports a model given by path to its file', async () => {
    const path = join('outputs', 'models', version, 'model.json');
    const result = await churn(['report', '--model', path, '--out', 'by-path.html', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(scratch.path, 'by-path.html'), 'utf8')).toContain(version);
  });

  it('refuses what it cannot report on, with one line and exit code 2, writing nothing', async () => {
    writeFileSync(
      join(scratch.path, 'no-target.csv'),
      readFileSync(join(scratch.path, 'data', 'new_batch_1.csv'), 'utf8').replace('saiu', 'left'),
    );
    const batch = readFileSync(join(scratch.path, 'data', 'new_batch_1.csv'), 'utf8').split('\n');
    writeFileSync(
      join(scratch.path, 'one-class.csv'),
      [batch[0], ...batch.slice(1).filter((line) => line.split(',')[9] === '0')].join('\n'),
    );
    const cases: Array<[string[], RegExp]> = [
      [['report', '--data', 'no-target.csv', '--out', 'x.html'], /no-target\.csv.*saiu/],
      [['report', '--data', 'one-class.csv', '--out', 'x.html'], /one-class\.csv, column "saiu"/],
      [
        ['report', '--data', 'data/new_batch_1.csv', '--out', 'data/new_batch_1.csv'],
        /--out data\/new_batch_1\.csv is the input file data\/new_batch_1\.csv: choose another output file/,
      ],
      [
        ['report', '--model', '20200101-000000-000-aaaa', '--out', 'x.html'],
        /20200101-000000-000-aaaa/,
      ],
      [['report', '--model', 'data/train.csv', '--out', 'x.html'], /train\.csv/],
      [['report', '--models-dir', 'empty', '--out', 'x.html'], /no champion model/],
    ];
    for (const [args, message] of cases) {
      const result = await churn(args);
      expect(result.code, args.join(' ')).toBe(2);
      const lines = result.stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('error:'));
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
    expect(existsSync(join(scratch.path, 'x.html'))).toBe(false);
  });
});
