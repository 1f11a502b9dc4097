import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copySampleProject } from '../../scripts/sample-project.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHURN_BIN = join(REPO_ROOT, 'bin', 'churn.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs the real `churn` binary in a child process, with a clean CHURN_* environment. */
export function runChurn(args: string[], options: CliOptions): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('CHURN_') && key !== 'FORCE_COLOR') env[key] = value;
  }
  Object.assign(env, { NO_COLOR: '1' }, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHURN_BIN, ...args], { cwd: options.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** A scratch folder removed after the test. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'churn-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The shipped configuration and sample data, copied into a scratch folder to run commands in. */
export { copySampleProject };

export interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `churn` stopped at the file operation matching `at` (see die-at.mjs): by SIGKILL, as a
 * power cut, by the signal given, or by an unexpected error thrown there (`'THROW'`).
 */
export function runStoppedAt(
  dir: string,
  args: string[],
  at: string,
  signal = 'SIGKILL',
): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', join(REPO_ROOT, 'test', 'helpers', 'die-at.mjs'), CHURN_BIN, ...args],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1', DIE_AT: at, DIE_SIGNAL: signal } },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stderr }));
  });
}
