/**
 * The single error boundary. Expected failures (ChurnError, commander's usage errors) become one
 * `error:` line on stderr and an exit code: 2 for usage and input, 1 otherwise. Stack traces go to
 * the log file, and to stderr only at --log-level debug.
 */
import { CommanderError } from 'commander';
import { ChurnError } from '../common/errors.js';
import { palette, colorWanted } from '../common/colors.js';
import type { Environment } from './context.js';
import { createProgram } from './program.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export async function main(
  argv: string[],
  environment: Omit<Environment, 'state'> = {
    cwd: process.cwd(),
    env: process.env,
    streams: { stdout: process.stdout, stderr: process.stderr },
  },
): Promise<number> {
  const state: Environment['state'] = {};
  const program = createProgram({ ...environment, state });
  // A reader that stops early (`churn … | head`) is not an error: stop quietly, as Unix tools do.
  environment.streams.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_OK);
    throw error;
  });

  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    const globals = program.opts<{ logLevel?: string; color?: boolean }>();
    const debug = state.logLevel === 'debug' || globals.logLevel === 'debug';
    const color = colorWanted(environment.streams.stderr, globals.color !== false, environment.env);
    return report(error, environment.streams.stderr, debug, color);
  }
}

function report(
  error: unknown,
  stderr: NodeJS.WritableStream,
  showStack: boolean,
  color: boolean,
): number {
  const c = palette(color);
  const line = (message: string) => stderr.write(`${c.red.bold('error:')} ${message}\n`);

  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return EXIT_OK; // --help, --version
    line(error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '));
    return EXIT_USAGE;
  }
  if (error instanceof ChurnError) {
    line(error.message);
    if (showStack && error.stack) stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  line(`unexpected failure: ${err.message} (the stack trace is in the log file)`);
  if (showStack && err.stack) stderr.write(`${err.stack}\n`);
  return EXIT_FAILURE;
}
