import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import { configKeyOf, configOverrides } from '../../src/cli/flags.js';
import { createProgram } from '../../src/cli/program.js';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';
import { CHAMPION_GROUP } from '../../src/monitoring/publish.js';
import { REPO_ROOT, runChurn } from '../helpers/cli.js';

const discard = { write: () => true } as unknown as NodeJS.WritableStream;

function program(): Command {
  return createProgram({
    cwd: REPO_ROOT,
    env: {},
    streams: { stdout: discard, stderr: discard },
    state: {},
  });
}

function subcommand(root: Command, ...names: string[]): Command {
  let command = root;
  for (const name of names) command = command.commands.find((c) => c.name() === name)!;
  return command;
}

/** Help's text for one option, its wrapped lines joined. */
function optionLine(help: string, flag: string): string {
  const lines = help.split('\n');
  const at = lines.findIndex((line) => line.trimStart().startsWith(flag));
  expect(at, flag).toBeGreaterThanOrEqual(0);
  let text = lines[at].trim();
  for (let next = at + 1; /^\s{6,}\S/.test(lines[next] ?? ''); next++) {
    text += ' ' + lines[next].trim();
  }
  return text.replace(/\s+/g, ' ');
}

describe('help', () => {
  it("shows each option's default, from the configuration schema where a flag sets a key", async () => {
    const { stdout, code } = await runChurn(['train', '--help'], { cwd: REPO_ROOT });
    expect(code).toBe(0);
    expect(optionLine(stdout, '--trees')).toBe('--trees <n> number of trees (default: 100)');
    expect(optionLine(stdout, '--min-samples-leaf')).toContain(
      `(default: ${CONFIG_SCHEMA['model.minSamplesLeaf'].default})`,
    );
    expect(optionLine(stdout, '--test-size')).toContain('(default: 0.15)');
    expect(optionLine(stdout, '--max-depth')).toContain('(default: unlimited)');
    expect(optionLine(stdout, '--log-level')).toContain('default: info');

    const retrain = (await runChurn(['retrain', '--help'], { cwd: REPO_ROOT })).stdout;
    expect(optionLine(retrain, '--data')).toContain('(required)');
    expect(optionLine(retrain, '--metric')).toContain('(choices: f2, rocAuc; default: f2)');
    const exporting = (await runChurn(['export-metrics', '--help'], { cwd: REPO_ROOT })).stdout;
    // The help names the group as the code does, without loading the module that knows it.
    expect(exporting.replace(/\s+/g, ' ')).toContain(
      `A push replaces the champion's own group, job="${CHAMPION_GROUP}"`,
    );
    const generate = (await runChurn(['generate', '--help'], { cwd: REPO_ROOT })).stdout;
    expect(optionLine(generate, '--rows')).toContain('(default: 6000)');
  });

  it('lists examples and every exit code at the top, as docs/cli.md does', async () => {
    const { stdout } = await runChurn(['--help'], { cwd: REPO_ROOT });
    expect(stdout).toMatch(/Examples:\n {2}churn train/);
    const listed = stdout.slice(stdout.indexOf('Exit codes:'));
    const document = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
    const codes = EXIT_CODES.map(([code]) => code);
    expect(codes).toEqual([0, 1, 2, 3, 4, 130, 143]);
    for (const code of codes) {
      expect(listed).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
      expect(document).toMatch(new RegExp(`^\\| ${code} +\\|`, 'm'));
    }
  });
});

describe('flags declared once', () => {
  it('give commander its option and the configuration its override, named by the flag', () => {
    const root = program();
    const train = subcommand(root, 'train');
    root.parseOptions(['--log-level', 'debug']);
    train.parseOptions(['--trees', '7', '--data', 'x.csv', '--categorical', 'a,b']);
    expect(configOverrides(train)).toEqual([
      { key: 'log.level', value: 'debug', flag: '--log-level' },
      { key: 'data.train', value: 'x.csv', flag: '--data' },
      { key: 'model.trees', value: '7', flag: '--trees' },
    ]);
    const retrain = subcommand(root, 'retrain');
    retrain.parseOptions(['--base', 'b.csv', '--data', 'new.csv']);
    expect(configOverrides(retrain).map(({ key }) => key)).toEqual(['log.level', 'data.train']);
  });

  it('a flag that sets a key shows its default, whichever command declares it', () => {
    const commands = [
      ['train'],
      ['predict'],
      ['retrain'],
      ['report'],
      ['export-metrics'],
      ['serve'],
      ['models', 'list'],
      ['models', 'prune'],
    ];
    for (const names of commands) {
      const root = program();
      const command = subcommand(root, ...names);
      const help = command.createHelp();
      const keyed = [...command.options, ...root.options].filter(configKeyOf);
      expect(keyed.length, names.join(' ')).toBeGreaterThan(1);
      for (const option of keyed) {
        expect(help.optionDescription(option), `${names.join(' ')} ${option.long}`).toMatch(
          /\(.*default: .+\)$/,
        );
      }
    }
  });
});
