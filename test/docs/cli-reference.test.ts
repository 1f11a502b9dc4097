import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copySampleProject, REPO_ROOT, runChurn, tempDir } from '../helpers/cli.js';

const COMMANDS = [
  ['generate'],
  ['train'],
  ['predict'],
  ['retrain'],
  ['report'],
  ['export-metrics'],
  ['models', 'list'],
  ['models', 'show'],
  ['models', 'promote'],
  ['models', 'prune'],
  ['models', 'doctor'],
  ['serve'],
];

describe('docs/cli.md', () => {
  it('documents every command and every flag the CLI accepts', async () => {
    const document = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
    const top = await runChurn(['--help'], { cwd: REPO_ROOT });
    for (const command of COMMANDS) {
      expect(
        top.stdout + (await runChurn([command[0], '--help'], { cwd: REPO_ROOT })).stdout,
      ).toContain(command.at(-1)!);
      expect(document, command.join(' ')).toContain(`churn ${command.join(' ')}`);
      const help = await runChurn([...command, '--help'], { cwd: REPO_ROOT });
      const flags = new Set(help.stdout.match(/(?<=^\s+(?:-\w, )?)--[a-z][a-z-]*/gm));
      expect(flags.size, command.join(' ')).toBeGreaterThan(3);
      for (const flag of flags) expect(document, `${command.join(' ')} ${flag}`).toContain(flag);
    }
  });

  it('gives the --json shape of every command as it really is', async () => {
    const document = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
    const shapes = document.slice(document.indexOf('## `--json` shapes'));
    const scratch = tempDir();
    try {
      copySampleProject(scratch.path);
      const json = async (args: string[]) => {
        const result = await runChurn([...args, '--json'], { cwd: scratch.path });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        return JSON.parse(result.stdout) as
          Record<string, unknown> | Array<Record<string, unknown>>;
      };
      const trained = (await json(['train', '--trees', '10'])) as { version: string };
      const runs: Array<[string, string[]]> = [
        ['churn train', ['train', '--trees', '10']],
        ['churn predict', ['predict']],
        ['churn retrain', ['retrain', '--data', 'data/new_batch_1.csv', '--dry-run']],
        ['churn report', ['report', '--data', 'data/new_batch_2.csv']],
        ['churn models list', ['models', 'list']],
        ['churn models show', ['models', 'show']],
        ['churn models promote', ['models', 'promote', trained.version]],
        ['churn models prune', ['models', 'prune', '--keep', '5']],
        ['churn export-metrics', ['export-metrics', '--stdout']],
        ['churn generate', ['generate', '--rows', '5', '--out', 'g.csv']],
      ];
      for (const [command, args] of runs) {
        const row = shapes.split('\n').find((line) => line.startsWith(`| \`${command}`));
        expect(row, command).toBeDefined();
        const output = await json(args);
        const sample = Array.isArray(output) ? output[0] : output;
        for (const key of Object.keys(sample)) expect(row, `${command}: ${key}`).toContain(key);
      }
    } finally {
      scratch.remove();
    }
  });
});
