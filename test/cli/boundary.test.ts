import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runChurn, runStoppedAt, tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

// eslint-disable-next-line no-control-regex -- matching colour escapes is the point
const ANSI = /\x1b\[[0-9;]*m/;

function logLines(logDir: string): Array<Record<string, unknown>> {
  const files = readdirSync(logDir).filter((name) => /^churn-\d{4}-\d{2}-\d{2}\.log$/.test(name));
  return files.flatMap((name) =>
    readFileSync(join(logDir, name), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

describe('the program', () => {
  it('prints help listing the commands and global options, exit 0', async () => {
    const result = await runChurn(['--help'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('generate');
    for (const flag of [
      '--config',
      '--log-level',
      '--log-dir',
      '--json',
      '--quiet',
      '--no-color',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('prints command help with examples and the global options', async () => {
    const result = await runChurn(['generate', '--help'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain('Global Options:');
  });

  it('prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const result = await runChurn(['--version'], { cwd: dir.path });
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});

describe('the error boundary', () => {
  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['generat'], "unknown command 'generat' (Did you mean generate?)"],
    [['generate', '--out', 'x.csv', '--rows', 'many'], "option '--rows <n>' argument 'many'"],
    [['generate', '--out', 'x.csv', '--drift', '2'], "option '--drift <x>' argument '2'"],
    [['generate'], "required option '--out <file>' not specified"],
    [
      ['train', '--pushgateway', 'htp:/gateway:9091'],
      '--pushgateway must be an http or https URL or null, got "htp:/gateway:9091"',
    ],
    [
      ['predict', '--pushgateway', 'gateway:9091'],
      '--pushgateway must be an http or https URL or null',
    ],
    [
      ['train', '--data', 'x.csv', '--id', 'saiu', '--target', 'saiu'],
      '--id and --target name the same column "saiu": the target cannot also be the id',
    ],
  ])('turns bad usage %j into one line and exit code 2, writing nothing', async (args, message) => {
    const result = await runChurn(args, { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(result.stderr.split('\n')[0] + '\n');
    expect(result.stderr).toContain(`error: ${message}`);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('names the configuration file and key of a bad setting, exit 2', async () => {
    writeFileSync(join(dir.path, 'churn.config.json'), JSON.stringify({ model: { seeds: 1 } }));
    const result = await runChurn(['generate', '--out', 'x.csv'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: churn.config.json: unknown key "model.seeds" (did you mean "model.seed"?)\n',
    );
  });

  it('names the kind of an expected failure in the log file, as one line of JSON', async () => {
    const args = ['train', '--data', 'missing.csv', '--target', 'saiu', '--log-dir', 'logs'];
    const result = await runChurn(args, { cwd: dir.path });
    expect(result.code).toBe(2);
    const failure = logLines(join(dir.path, 'logs')).find((line) => line.outcome === 'failure');
    expect(failure?.error).toMatchObject({ name: 'InputError' });
  });

  // A bug is simulated by an error thrown where the output file is opened: every file system
  // error churn expects is an input error by now.
  it('keeps the stack of an unexpected failure in the log file, exit 1', async () => {
    const args = ['generate', '--rows', '10', '--out', 'blocker.csv', '--log-dir', 'logs'];
    const result = await runStoppedAt(dir.path, args, 'open .*blocker', 'THROW');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: unexpected failure: .*blocker/m);
    expect(result.stderr).not.toContain('    at ');
    const failure = logLines(join(dir.path, 'logs')).find((line) => line.outcome === 'failure');
    expect(failure).toMatchObject({ level: 'error', command: 'generate' });
    expect(JSON.stringify(failure)).toContain('    at ');
  });

  it('shows the stack on stderr at --log-level debug', async () => {
    const args = ['generate', '--rows', '10', '--out', 'blocker.csv', '--log-level', 'debug'];
    const result = await runStoppedAt(dir.path, args, 'open .*blocker', 'THROW');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('    at ');
  });
});

describe('output modes', () => {
  it('--json prints exactly one JSON document on stdout', async () => {
    const result = await runChurn(['generate', '--rows', '50', '--out', 'g.csv', '--json'], {
      cwd: dir.path,
    });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ rows: 50, seed: 42, drift: 0, out: 'g.csv' });
  });

  it('--quiet leaves stderr empty on success', async () => {
    const result = await runChurn(['generate', '--rows', '50', '--out', 'g.csv', '--quiet'], {
      cwd: dir.path,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('wrote 50 customers');
  });

  it('colours only when asked, and never with --no-color or NO_COLOR', async () => {
    const args = ['generate', '--rows', '5', '--out', 'g.csv'];
    const forced = await runChurn(args, { cwd: dir.path, env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(forced.stdout + forced.stderr).toMatch(ANSI);
    const flag = await runChurn([...args, '--no-color'], {
      cwd: dir.path,
      env: { FORCE_COLOR: '1', NO_COLOR: '' },
    });
    expect(flag.stdout + flag.stderr).not.toMatch(ANSI);
    const env = await runChurn(args, { cwd: dir.path, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(env.stdout + env.stderr).not.toMatch(ANSI);
    const piped = await runChurn(args, { cwd: dir.path, env: { NO_COLOR: '' } });
    expect(piped.stdout + piped.stderr).not.toMatch(ANSI);
  });
});

describe('logging', () => {
  it('leaves a dated JSON-lines file whose lines share one run id', async () => {
    const result = await runChurn(['generate', '--rows', '20', '--out', 'g.csv'], {
      cwd: dir.path,
    });
    expect(result.code).toBe(0);
    const today = new Date();
    const stamp = [today.getFullYear(), today.getMonth() + 1, today.getDate()]
      .map((part) => String(part).padStart(2, '0'))
      .join('-');
    expect(readdirSync(join(dir.path, 'logs'))).toContain(`churn-${stamp}.log`);
    const lines = logLines(join(dir.path, 'logs'));
    expect(new Set(lines.map((line) => line.runId)).size).toBe(1);
    expect(lines.every((line) => line.command === 'generate' && line.timestamp)).toBe(true);
    expect(lines[0].message).toBe('generate started');
    expect(lines.at(-1)).toMatchObject({ level: 'success', outcome: 'success' });
    expect(typeof lines.at(-1)?.seconds).toBe('number');
    expect(lines.some((line) => line.rows === 20 && line.churnRate !== undefined)).toBe(true);
  });

  it('appends the runs of a day to one file, each with its own run id', async () => {
    await runChurn(['generate', '--rows', '5', '--out', 'a.csv'], { cwd: dir.path });
    await runChurn(['generate', '--rows', '5', '--out', 'b.csv'], { cwd: dir.path });
    const lines = logLines(join(dir.path, 'logs'));
    expect(new Set(lines.map((line) => line.runId)).size).toBe(2);
  });

  it('honours --log-level and --log-dir', async () => {
    const args = ['generate', '--rows', '5', '--out', 'g.csv', '--log-level', 'success'];
    await runChurn([...args, '--log-dir', 'elsewhere'], { cwd: dir.path });
    const lines = logLines(join(dir.path, 'elsewhere'));
    expect(lines.map((line) => line.level)).toEqual(['success']);
  });

  it('takes the log level from CHURN_LOG_LEVEL', async () => {
    const args = ['generate', '--rows', '5', '--out', 'g.csv'];
    const result = await runChurn(args, { cwd: dir.path, env: { CHURN_LOG_LEVEL: 'warn' } });
    expect(result.stderr).toBe('');
  });

  it('stops quietly with exit 0 when its reader closes early, as `churn … | head` does', async () => {
    const { spawn } = await import('node:child_process');
    const { CHURN_BIN } = await import('../helpers/cli.js');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CHURN_BIN, 'train', '--help'], { cwd: dir.path });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.destroy(); // the reader is gone before the first line is written
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
    expect(result.code).toBe(0);
  });

  it('finishes its work when the reader of its log closes early, as `churn … 2>&1 | head` does', async () => {
    const { spawn } = await import('node:child_process');
    const { CHURN_BIN } = await import('../helpers/cli.js');
    const code = await new Promise<number | null>((resolve) => {
      const args = ['generate', '--rows', '20000', '--out', 'piped.csv'];
      const child = spawn(process.execPath, [CHURN_BIN, ...args], { cwd: dir.path });
      child.stderr.once('data', () => child.stderr.destroy()); // head has read its lines
      child.on('close', resolve);
    });
    expect(code).toBe(0);
    expect(readFileSync(join(dir.path, 'piped.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(
      20001,
    );
  });
});
