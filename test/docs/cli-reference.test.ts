import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runChurn } from '../helpers/cli.js';

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
});
