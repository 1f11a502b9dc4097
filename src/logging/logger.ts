/**
 * Logging as the course did it with loguru, done the Node way: a human console on stderr (stdout
 * stays free for results and --json) and a JSON-lines file per day, rotated at 10 MB, kept 7 days,
 * older files gzipped. Every line of one run carries the command and a shared run id.
 */
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { LogLevel } from '../config/schema.js';
import { formatConsoleLine } from './console-format.js';
import { redactDeep } from '../common/secrets.js';

export type LogContext = Record<string, unknown>;

export interface Logger {
  error(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  success(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  debug(message: string, context?: LogContext): void;
  /**
   * An error for the file only: the CLI's error boundary already tells the console in one line,
   * the file keeps the stack and context.
   */
  errorToFile(message: string, context?: LogContext): void;
  /** Flushes the log file; call before the process exits. */
  close(): Promise<void>;
}

/** Severity order: a level shows itself and everything above it. */
export const LEVEL_PRIORITY: Record<LogLevel, number> = {
  error: 0,
  warn: 1,
  success: 2,
  info: 3,
  debug: 4,
};

const FILE_ONLY = Symbol('fileOnly');

export const LOG_FILE_PATTERN = 'churn-%DATE%.log';

export interface LoggerOptions {
  level: LogLevel;
  /** Folder for the daily files; null logs to the console only. */
  dir: string | null;
  command: string;
  runId: string;
  /** Console threshold, or 'silent' for --quiet and --json runs that want stderr to themselves. */
  consoleLevel: LogLevel | 'silent';
  color: boolean;
  /**
   * When `dir` does not exist yet, the file's lines wait in memory until `keep()` creates it and
   * writes them: a run that ends without `keep()` (one that failed) leaves no folder behind.
   */
  dirOnlyWhenKept?: boolean;
}

/** A run's logger. */
export interface RunLogger extends Logger {
  /**
   * Writes the lines held back for a folder that did not exist (see dirOnlyWhenKept), and the
   * next ones straight to the file: for a run that succeeded, or one that is under way for good
   * (a server listening).
   */
  keep(): void;
}

/** Lines held for a folder that does not exist yet: past them a run keeps its log anyway. */
const HELD_LINES = 1000;

export function createLogger(options: LoggerOptions): RunLogger {
  const transports: winston.transport[] = [];
  let fileTransport: DailyRotateFile | null = null;
  let held: { transport: winston.transport; lines: object[] } | null = null;
  const openFile = (dir: string) =>
    new DailyRotateFile({
      dirname: dir,
      filename: LOG_FILE_PATTERN,
      datePattern: 'YYYY-MM-DD',
      maxSize: '10m',
      maxFiles: '7d',
      zippedArchive: true,
      auditFile: join(dir, '.churn-log-audit.json'),
      level: options.level,
      format: winston.format.combine(timestampUnlessHeld(), winston.format.json()),
    });
  if (options.dir && options.dirOnlyWhenKept && !existsSync(options.dir)) {
    // A run that logs this much is a long one, whose record matters more than a tidy folder.
    held = holdLines(options.level, () => setImmediate(() => logger.keep()));
    transports.push(held.transport);
  } else if (options.dir) {
    fileTransport = openFile(options.dir);
    transports.push(fileTransport);
  }
  if (options.consoleLevel !== 'silent') {
    transports.push(
      new winston.transports.Console({
        level: options.consoleLevel,
        stderrLevels: Object.keys(LEVEL_PRIORITY),
        format: winston.format.combine(
          winston.format((info) => (info[FILE_ONLY] ? false : info))(),
          winston.format.printf((info) => formatConsoleLine(info, options.color)),
        ),
      }),
    );
  }
  const winstonLogger = winston.createLogger({
    levels: LEVEL_PRIORITY,
    level: options.level,
    // Before any transport: no secret reaches the console or the file, whatever its source.
    format: redactSecrets(),
    defaultMeta: { command: options.command, runId: options.runId },
    transports,
    exitOnError: false,
  });

  const log =
    (level: LogLevel, fileOnly = false) =>
    (message: string, context: LogContext = {}) => {
      if (!winstonLogger.writable) return;
      winstonLogger.log({ level, message, ...serializeErrors(context), [FILE_ONLY]: fileOnly });
    };

  const logger: RunLogger = {
    error: log('error'),
    warn: log('warn'),
    success: log('success'),
    info: log('info'),
    debug: log('debug'),
    errorToFile: log('error', true),
    keep() {
      if (held === null || !options.dir || !winstonLogger.writable) return;
      fileTransport = openFile(options.dir);
      winstonLogger.remove(held.transport);
      winstonLogger.add(fileTransport);
      for (const line of held.lines) fileTransport.write(line);
      held = null;
    },
    async close() {
      if (!winstonLogger.writable) return;
      await new Promise<void>((resolve) => {
        winstonLogger.once('finish', resolve);
        winstonLogger.end();
      });
      if (fileTransport) {
        const transport = fileTransport;
        await new Promise<void>((resolve) => {
          transport.once('finish', resolve);
          transport.close?.();
        });
      }
    },
  };
  return logger;
}

/** The file's lines, stamped as they come, until there is a file to write them to. */
function holdLines(
  level: LogLevel,
  onFull: () => void,
): { transport: winston.transport; lines: object[] } {
  const lines: object[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: object, _encoding, done) {
      if (lines.push({ ...info, timestamp: new Date().toISOString() }) === HELD_LINES) onFull();
      done();
    },
  });
  return { transport: new winston.transports.Stream({ stream, level }), lines };
}

/** winston's timestamp, but a held line keeps the time it was logged at. */
const timestampUnlessHeld = winston.format((info) => {
  info.timestamp ??= new Date().toISOString();
  return info;
});

/** Hides secrets in a line's message and every field of its context, in place. */
const redactSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) info[key] = redactDeep(info[key]);
  return info;
});

/** Error objects lose their message and stack in JSON.stringify; keep both. */
function serializeErrors(context: LogContext): LogContext {
  const result: LogContext = {};
  for (const [key, value] of Object.entries(context)) {
    result[key] =
      value instanceof Error
        ? { name: value.name, message: value.message, stack: value.stack }
        : value;
  }
  return result;
}
