/**
 * The single error boundary. Expected failures (ChurnError, commander's usage errors) become one
 * `error:` line on stderr and an exit code: 2 for usage and input, 1 otherwise. Stack traces go to
 * the log file, and to stderr only at --log-level debug.
 */
import type { ChalkInstance } from 'chalk';
import { CommanderError } from 'commander';
import { ChurnError } from '../common/errors.js';
import { undoInterrupted } from '../common/interruption.js';
import { redact } from '../common/secrets.js';
import type { Environment } from './context.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, SIGNAL_EXIT } from './exit-codes.js';
import { createProgram } from './program.js';

/** How long a stopped run may spend publishing its failure and closing its log. */
const INTERRUPT_GRACE_MS = 5000;

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
  // A closed stderr (`churn … 2>&1 | head`) must not stop the work: logs still reach the file.
  environment.streams.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  stopCleanlyOnSignals(state, environment.streams.stderr);

  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT_OK; // --help, --version
    const globals = program.opts<{ logLevel?: string; color?: boolean }>();
    const debug = state.logLevel === 'debug' || globals.logLevel === 'debug';
    // Colours are for errors only here: chalk loads when one is to be shown.
    const { colorWanted, palette } = await import('../common/colors.js');
    const color = colorWanted(environment.streams.stderr, globals.color !== false, environment.env);
    return report(error, environment.streams.stderr, debug, palette(color));
  }
}

/**
 * Ctrl-C or a scheduler's SIGTERM: remove what was half-written (temporary files, a held lock),
 * say so, publish the failure and log it within a grace period, exit 130 or 143. A command that
 * stops by itself (a server) is told instead. A second signal exits at once.
 */
function stopCleanlyOnSignals(state: Environment['state'], stderr: NodeJS.WritableStream): void {
  for (const [signal, code] of Object.entries(SIGNAL_EXIT) as Array<[NodeJS.Signals, number]>) {
    process.once(signal, () => {
      process.once(signal, () => process.exit(code));
      if (state.stopOnSignal) return state.stopOnSignal(signal);
      undoInterrupted();
      stderr.write(
        `error: interrupted by ${signal}: stopped before finishing; nothing was half-written ` +
          '(files being written were removed, earlier results are as they were)\n',
      );
      const hooks = [...(state.interruptHooks ?? [])].reverse();
      const finish = (async () => {
        for (const hook of hooks) await hook(signal).catch(() => undefined);
      })();
      const grace = new Promise((resolve) => setTimeout(resolve, INTERRUPT_GRACE_MS).unref());
      void Promise.race([finish, grace]).then(() => process.exit(code));
    });
  }
}

function report(
  error: unknown,
  stderr: NodeJS.WritableStream,
  showStack: boolean,
  c: ChalkInstance,
): number {
  // Every error reaches the user here, whatever raised it: no secret passes.
  const line = (message: string) => stderr.write(`${c.red.bold('error:')} ${redact(message)}\n`);

  if (error instanceof CommanderError) {
    line(error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '));
    return EXIT_USAGE;
  }
  if (error instanceof ChurnError) {
    line(error.message);
    if (showStack && error.stack) stderr.write(`${redact(error.stack)}\n`);
    return error.exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  line(`unexpected failure: ${err.message} (the stack trace is in the log file)`);
  if (showStack && err.stack) stderr.write(`${redact(err.stack)}\n`);
  return EXIT_FAILURE;
}
