/**
 * Configuration: built-in defaults < churn.config.json (or --config) < CHURN_* environment
 * variables < command-line flags. Each layer is validated against the schema as it is read, so an
 * error names where the bad value came from.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../common/errors.js';
import { didYouMean } from '../common/suggest.js';
import {
  CONFIG_SCHEMA,
  envVarName,
  type ChurnConfig,
  type ConfigKey,
  type KeySpec,
} from './schema.js';

export const DEFAULT_CONFIG_FILE = 'churn.config.json';

/** A value given on the command line, with the flag that gave it for error messages. */
export interface FlagOverride {
  key: ConfigKey;
  value: unknown;
  flag: string;
}

export interface LoadConfigOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** From --config: must exist. Without it, churn.config.json in cwd is read when present. */
  configFile?: string;
  flags?: FlagOverride[];
}

export interface LoadedConfig {
  config: ChurnConfig;
  /** The configuration file read, if any. */
  file: string | null;
}

const KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];
const SPECS: Record<ConfigKey, KeySpec> = CONFIG_SCHEMA;

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const values = new Map<ConfigKey, unknown>(KEYS.map((key) => [key, SPECS[key].default]));
  const file = readConfigFile(options, values);
  readEnvironment(options, values);
  for (const { key, value, flag } of options.flags ?? []) {
    values.set(key, parseValue(key, value, flag, options.cwd, typeof value === 'string'));
  }
  // Built-in default paths are relative to the working directory; the others are resolved already.
  for (const key of KEYS) {
    if (SPECS[key].type === 'path' && typeof values.get(key) === 'string') {
      values.set(key, resolve(options.cwd, values.get(key) as string));
    }
  }
  const config = nest(values) as unknown as ChurnConfig;
  if (config.risk.medium >= config.risk.high) {
    throw new UsageError(
      `risk.medium (${config.risk.medium}) must be below risk.high (${config.risk.high})`,
    );
  }
  return { config, file };
}

function readConfigFile(
  options: LoadConfigOptions,
  values: Map<ConfigKey, unknown>,
): string | null {
  const path = options.configFile
    ? resolve(options.cwd, options.configFile)
    : join(options.cwd, DEFAULT_CONFIG_FILE);
  if (!isFile(path)) {
    if (options.configFile) throw new UsageError(`--config: no such file: ${options.configFile}`);
    return null;
  }
  const label = options.configFile ?? DEFAULT_CONFIG_FILE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${label}: not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw new UsageError(`${label}: must hold a JSON object`);
  for (const [key, value] of flatten(parsed)) {
    if (!(key in SPECS)) throw new UsageError(`${label}: unknown key "${key}"${suggest(key)}`);
    // Paths in a file are relative to the file, so a config works from any working directory.
    const parsedValue = parseValue(
      key as ConfigKey,
      value,
      `${label}: ${key}`,
      dirname(path),
      false,
    );
    values.set(key as ConfigKey, parsedValue);
  }
  return path;
}

function readEnvironment(options: LoadConfigOptions, values: Map<ConfigKey, unknown>): void {
  const byName = new Map(KEYS.map((key) => [envVarName(key), key]));
  for (const [name, raw] of Object.entries(options.env)) {
    if (!name.startsWith('CHURN_') || raw === undefined) continue;
    const key = byName.get(name);
    if (!key) throw new UsageError(`${name}: unknown configuration variable${suggest(name, true)}`);
    values.set(key, parseValue(key, raw, name, options.cwd, true));
  }
}

/**
 * Checks one value against its key's spec. Values from the environment and flags arrive as text
 * and are converted; values from the JSON file must already have the right JSON type.
 */
function parseValue(
  key: ConfigKey,
  raw: unknown,
  source: string,
  baseDir: string,
  fromText: boolean,
): unknown {
  const spec = SPECS[key];
  const fail = (expected: string): never => {
    const shown = spec.secret ? 'a value that is not shown' : JSON.stringify(raw);
    throw new UsageError(`${source} must be ${expected}, got ${shown}`);
  };
  if (raw === null || (fromText && raw === 'null')) {
    return spec.nullable ? null : fail(describeAccepted(spec));
  }
  const text = fromText && typeof raw === 'string';
  switch (spec.type) {
    case 'string':
      return typeof raw === 'string' && raw.length > 0 ? raw : fail('a non-empty string');
    case 'path':
      if (typeof raw !== 'string' || raw.length === 0) return fail('a path');
      return isAbsolute(raw) ? raw : resolve(baseDir, raw);
    case 'enum':
      return typeof raw === 'string' && spec.values.includes(raw)
        ? raw
        : fail(describeAccepted(spec));
    case 'integer': {
      const value = text ? parseNumber(raw as string) : raw;
      const ok =
        typeof value === 'number' &&
        Number.isInteger(value) &&
        value >= spec.min &&
        (spec.max === undefined || value <= spec.max);
      return ok ? value : fail(describeAccepted(spec));
    }
    case 'number': {
      const value = text ? parseNumber(raw as string) : raw;
      const inRange =
        typeof value === 'number' &&
        (spec.exclusive
          ? value > spec.min && value < spec.max
          : value >= spec.min && value <= spec.max);
      return inRange ? value : fail(describeAccepted(spec));
    }
    case 'maxFeatures': {
      if (raw === 'sqrt' || raw === 'log2' || raw === 'all') return raw;
      const value = text ? parseNumber(raw as string) : raw;
      const ok =
        typeof value === 'number' &&
        ((value > 0 && value < 1) || (Number.isInteger(value) && value >= 1));
      return ok ? value : fail(describeAccepted(spec));
    }
  }
}

export function describeAccepted(spec: KeySpec): string {
  const orNull = spec.nullable ? ' or null' : '';
  switch (spec.type) {
    case 'string':
      return `a non-empty string${orNull}`;
    case 'path':
      return `a path${orNull}`;
    case 'enum':
      return `one of ${spec.values.join(', ')}${orNull}`;
    case 'integer':
      return spec.max === undefined
        ? `an integer of at least ${spec.min}${orNull}`
        : `an integer from ${spec.min} to ${spec.max}${orNull}`;
    case 'number':
      return spec.exclusive
        ? `a number between ${spec.min} and ${spec.max} (exclusive)${orNull}`
        : `a number from ${spec.min} to ${spec.max}${orNull}`;
    case 'maxFeatures':
      return 'sqrt, log2, all, a whole number of features, or a fraction between 0 and 1';
  }
}

function parseNumber(text: string): number | string {
  const trimmed = text.trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) ? Number(trimmed) : text;
}

function flatten(object: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(object)) {
    const key = prefix + name;
    if (isPlainObject(value) && !(key in SPECS)) entries.push(...flatten(value, `${key}.`));
    else entries.push([key, value]);
  }
  return entries;
}

function nest(values: Map<ConfigKey, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of values) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

function suggest(name: string, env = false): string {
  return didYouMean(name, env ? KEYS.map(envVarName) : KEYS);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
