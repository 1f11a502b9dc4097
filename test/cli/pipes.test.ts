/**
 * `-` for standard input and output, with real processes: `churn generate --out - | churn train
 * --data -`, `… | churn predict --data - --out - | …` give what the same files give, logs stay on
 * stderr, and a reader that stops early ends churn quietly.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHURN_BIN, copySampleProject, runChurn, tempDir, type CliResult } from '../helpers/cli.js';

const dir = tempDir();
afterAll(() => dir.remove());
const churn = (args: string[]) => runChurn(args, { cwd: dir.path, timeoutMs: 90_000 });

/** Runs churn with `input` on its standard input; stdout as bytes. */
function churnWithInput(
  args: string[],
  input: Buffer | string,
): Promise<CliResult & { bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHURN_BIN, ...args], {
      cwd: dir.path,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const bytes = Buffer.concat(out);
      resolve({ code: code ?? 1, stdout: bytes.toString('utf8'), stderr, bytes });
    });
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  copySampleProject(dir.path);
  const generated = await churn(['generate', '--rows', '3000', '--seed', '5', '--out', 'g.csv']);
  expect(generated.code).toBe(0);
}, 60_000);

describe('--data - and --out -', () => {
  it('generate --out - writes the bytes of the file to stdout, the summary to stderr', async () => {
    const piped = await churnWithInput(
      ['generate', '--rows', '3000', '--seed', '5', '--out', '-'],
      '',
    );
    expect(piped.code).toBe(0);
    expect(piped.bytes.equals(readFileSync(join(dir.path, 'g.csv')))).toBe(true);
    expect(piped.stderr).toMatch(/wrote 3,000 customers to -/);
  });

  it('train --data - trains the model the file trains, naming lines of standard input', async () => {
    const args = ['train', '--trees', '12', '--target', 'saiu', '--id', 'id_cliente', '--json'];
    const fromFile = await churn([...args, '--data', 'g.csv']);
    const fromPipe = await churnWithInput(
      [...args, '--data', '-'],
      readFileSync(join(dir.path, 'g.csv')),
    );
    expect(fromPipe.code).toBe(0);
    expect(JSON.parse(fromPipe.stdout).metrics).toEqual(JSON.parse(fromFile.stdout).metrics);
    const metadata = (version: string) =>
      JSON.parse(
        readFileSync(join(dir.path, 'outputs', 'models', version, 'metadata.json'), 'utf8'),
      );
    const [a, b] = [fromFile, fromPipe].map((run) => metadata(JSON.parse(run.stdout).version));
    expect(b.data.fingerprint ?? b.data.sha256).toBe(a.data.fingerprint ?? a.data.sha256);

    const lines = readFileSync(join(dir.path, 'g.csv'), 'utf8').split('\n');
    const cells = lines[1].split(',');
    cells[3] = `x${cells[3]}`; // idade
    const bad = [lines[0], cells.join(','), ...lines.slice(2)].join('\n');
    const failed = await churnWithInput([...args, '--data', '-', '--numeric', 'idade'], bad);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(
      /^error: standard input, line 2, column "idade": "x\d+" is not a number/m,
    );
  }, 120_000);

  it('predict --data - --out - writes what the files give, and only that, on stdout', async () => {
    // Quoted fields with line breaks, as psql's CSV output has them.
    const [header, ...rows] = readFileSync(join(dir.path, 'g.csv'), 'utf8').trim().split('\n');
    const quoted = [`nota,${header}`, ...rows.map((row, i) => `"line ${i}\nand ""more""",${row}`)];
    writeFileSync(join(dir.path, 'quoted.csv'), quoted.join('\n') + '\n');
    const whole = await churn([
      'predict',
      '--data',
      'quoted.csv',
      '--out',
      'scored.csv',
      '--keep-columns',
    ]);
    expect(whole.code).toBe(0);
    const piped = await churnWithInput(
      ['predict', '--data', '-', '--out', '-', '--keep-columns'],
      readFileSync(join(dir.path, 'quoted.csv')),
    );
    expect(piped.code).toBe(0);
    expect(piped.bytes.equals(readFileSync(join(dir.path, 'scored.csv')))).toBe(true);
    expect(piped.stderr).toMatch(/scored 3,000 customers .* → standard output/);

    const json = await churnWithInput(['predict', '--data', '-', '--out', '-', '--json'], '');
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/--json prints on standard output, which --out - writes/);
  }, 120_000);

  it('stops quietly, exit code 0, when the reader of its output closes early', async () => {
    const big = await churn(['generate', '--rows', '80000', '--seed', '6', '--out', 'big.csv']);
    expect(big.code).toBe(0);
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stderr: string; first: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          [CHURN_BIN, 'predict', '--data', 'big.csv', '--out', '-', '--quiet'],
          { cwd: dir.path, env: { ...process.env, NO_COLOR: '1' } },
        );
        let stderr = '';
        let first = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.stdout.once('data', (chunk: Buffer) => {
          first = chunk.toString('utf8');
          child.stdout.destroy(); // as `head -1` does once it has its line
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr, first }));
      },
    );
    expect(result.first).toMatch(/^id_cliente,churn_probability,churn_predicted,risk_level\n/);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('refuses to shard standard input', async () => {
    const run = await churnWithInput(
      ['predict', '--data', '-', '--shard', '0/2', '--out', 'x.csv'],
      'a,b\n',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/standard input: cannot be sharded/);
  });
});
