/**
 * The harness every command runs in: configuration loaded and validated, a logger with a run id,
 * the output mode, and the start / end / failure log lines with duration and outcome.
 */
import { secondsSince } from '../common/elapsed.js';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { colorWanted } from '../common/colors.js';
import { registerCredentials, registerSecret } from '../common/secrets.js';
import { loadConfig } from '../config/load.js';
import type { ChurnConfig, ConfigKey, LogLevel } from '../config/schema.js';
import { createLogger, type RunLogger } from '../logging/logger.js';
import { useSigningKey } from '../registry/registry.js';
import { configOverrides } from './flags.js';
import { Output, type OutputStreams } from './output.js';

export interface GlobalOptions {
  config?: string;
  logLevel?: LogLevel;
  logDir?: string;
  json?: boolean;
  quiet?: boolean;
  color: boolean;
}

export interface CommandContext {
  config: ChurnConfig;
  log: RunLogger;
  out: Output;
  runId: string;
  /**
   * Whether a run that fails may create this folder to leave its record there (its log lines, its
   * failure time): in a project (a configuration file was found), or when a flag or variable
   * named the folder. Otherwise a failed run leaves the working directory as it found it.
   */
  failureMayCreate(folder: 'log.dir' | 'metrics.textfileDir'): boolean;
}

export interface Environment {
  cwd: string;
  env: Record<string, string | undefined>;
  streams: OutputStreams;
  state: {
    /** Set once the log level is known, so the error boundary knows whether to show stacks. */
    logLevel?: LogLevel;
    /**
     * What a run does when a signal stops it, newest first: publish its failure, then log and
     * close the log. The error boundary runs them.
     */
    interruptHooks?: InterruptHook[];
    /**
     * Set by a command that stops by itself when signalled (`churn serve`): the first SIGINT or
     * SIGTERM is handed to it, and it finishes and returns as it would otherwise.
     */
    stopOnSignal?: (signal: NodeJS.Signals) => void;
  };
}

export type InterruptHook = (signal: NodeJS.Signals) => Promise<void>;

/** Adds a hook for the rest of `body`. */
export async function withInterruptHook<T>(
  environment: Environment,
  hook: InterruptHook,
  body: () => Promise<T>,
): Promise<T> {
  const hooks = (environment.state.interruptHooks ??= []);
  hooks.push(hook);
  try {
    return await body();
  } finally {
    hooks.splice(hooks.indexOf(hook), 1);
  }
}

export async function runCommand<T>(
  name: string,
  command: Command,
  environment: Environment,
  body: (context: CommandContext) => Promise<T>,
): Promise<T> {
  const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
  const { config, file, setBy } = loadConfig({
    cwd: environment.cwd,
    env: environment.env,
    configFile: options.config,
    flags: configOverrides(command),
  });
  environment.state.logLevel = config.log.level;
  registerConfiguredSecrets(config);
  useSigningKey(config.registry.signingKey);
  const color = colorWanted(environment.streams.stderr, options.color, environment.env);
  const out = new Output(environment.streams, options.json === true, options.quiet === true, color);
  const runId = randomUUID();
  const failureMayCreate = (folder: ConfigKey) => file !== null || setBy.has(folder);
  const log = createLogger({
    level: config.log.level,
    dir: config.log.dir,
    command: name,
    runId,
    consoleLevel: out.quiet ? 'silent' : config.log.level,
    color,
    dirOnlyWhenKept: !failureMayCreate('log.dir'),
  });

  const started = performance.now();
  log.info(`${name} started`, { config: file ?? 'defaults', pid: process.pid });
  const logInterruption: InterruptHook = async (signal) => {
    log.errorToFile(`${name} interrupted by ${signal}`, {
      outcome: 'interrupted',
      seconds: secondsSince(started),
    });
    await log.close();
  };
  try {
    const result = await withInterruptHook(environment, logInterruption, () =>
      body({ config, log, out, runId, failureMayCreate }),
    );
    log.keep();
    log.success(`${name} finished`, { outcome: 'success', seconds: secondsSince(started) });
    return result;
  } catch (error) {
    log.errorToFile(`${name} failed: ${(error as Error).message}`, {
      outcome: 'failure',
      seconds: secondsSince(started),
      error,
    });
    throw error;
  } finally {
    await log.close();
  }
}

/** Whatever the configuration holds that must never be shown: hidden from every message. */
function registerConfiguredSecrets({ pushgateway, registry }: ChurnConfig): void {
  registerSecret(registry.signingKey);
  registerSecret(pushgateway.token);
  if (pushgateway.password !== null) {
    registerCredentials(pushgateway.username ?? '', pushgateway.password);
  }
  if (pushgateway.url !== null) {
    try {
      const url = new URL(pushgateway.url);
      if (url.password) {
        registerCredentials(decodeURIComponent(url.username), decodeURIComponent(url.password));
      }
    } catch {
      // not a URL: the push reports it
    }
  }
}
