/**
 * Configuration: built-in defaults < churn.config.json (or --config) < CHURN_* environment
 * variables < command-line flags. Each layer is validated against the schema as it is read, so an
 * error names where the bad value came from.
 *
 * Without --config, churn.config.json is looked for in the working directory and then in each
 * folder above it up to the file system's root, as ESLint, Prettier and tsc look for theirs: the
 * folder holding it is the project's, and the built-in default paths (logs, outputs) lie in it,
 * so a command run from any of its subfolders uses the project's registry, logs and outputs.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../common/errors.js';
import { jsonErrorWhere } from '../common/json-error.js';
import { isStandardStream } from '../common/standard-streams.js';
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
  /**
   * From --config: must exist. Without it, the nearest churn.config.json is read: in cwd or the
   * closest folder above it.
   */
  configFile?: string;
  flags?: FlagOverride[];
}

export interface LoadedConfig {
  config: ChurnConfig;
  /** The configuration file read, if any. */
  file: string | null;
  /** The keys a file, variable or flag set, with where each came from. */
  setBy: ReadonlyMap<ConfigKey, string>;
}

const KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];
const SPECS: Record<ConfigKey, KeySpec> = CONFIG_SCHEMA;
/** Own keys only: `constructor` or `__proto__` is no key, whatever `in` says of a plain object. */
const KNOWN = new Set<string>(KEYS);

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const values = new Map<ConfigKey, unknown>(KEYS.map((key) => [key, SPECS[key].default]));
  /** Where each value that is not a default came from, as errors name it. */
  const sources = new Map<ConfigKey, string>();
  const set = (key: ConfigKey, value: unknown, source: string) => {
    values.set(key, value);
    sources.set(key, source);
  };
  const file = readConfigFile(options, set);
  readEnvironment(options, set);
  for (const { key, value, flag } of options.flags ?? []) {
    set(key, parseValue(key, value, flag, options.cwd, typeof value === 'string'), flag);
  }
  // Built-in default paths lie in the project a found file marks out, else in the working
  // directory (as with --config); the others are resolved already.
  const home = file !== null && options.configFile === undefined ? dirname(file) : options.cwd;
  for (const key of KEYS) {
    if (SPECS[key].path && !sources.has(key) && typeof values.get(key) === 'string') {
      values.set(key, resolve(home, values.get(key) as string));
    }
  }
  const config = nest(values);
  checkTogether(config, (key) => sources.get(key) ?? key);
  return { config, file, setBy: sources };
}

/** The nearest churn.config.json: in `cwd`, or the closest folder above it. */
export function findConfigFile(cwd: string): string | null {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, DEFAULT_CONFIG_FILE);
    if (isFile(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** Rules between keys, once every layer is read. */
function checkTogether(config: ChurnConfig, source: (key: ConfigKey) => string): void {
  if (config.risk.medium !== null && config.risk.medium >= config.risk.high) {
    throw new UsageError(
      `risk.medium (${config.risk.medium}) must be below risk.high (${config.risk.high})`,
    );
  }
  const { id, target } = config.data;
  if (id !== null && id === target) {
    throw new UsageError(
      `${bothSources(source('data.id'), source('data.target'))} name the same column "${id}": ` +
        'the target cannot also be the id',
    );
  }
}

/** `--id and --target`, or `churn.config.json: data.id and data.target` from one file. */
function bothSources(first: string, second: string): string {
  const at = first.lastIndexOf(': ');
  const file = at < 0 ? null : first.slice(0, at + 2);
  return file !== null && second.startsWith(file)
    ? `${first} and ${second.slice(file.length)}`
    : `${first} and ${second}`;
}

type Setter = (key: ConfigKey, value: unknown, source: string) => void;

function readConfigFile(options: LoadConfigOptions, set: Setter): string | null {
  let path: string;
  if (options.configFile !== undefined) {
    path = resolve(options.cwd, options.configFile);
    if (!isFile(path)) throw new UsageError(`--config: no such file: ${options.configFile}`);
  } else {
    const found = findConfigFile(options.cwd);
    if (found === null) return null;
    path = found;
  }
  // As the user would reach it from here: `churn.config.json`, `../churn.config.json`.
  const label = options.configFile ?? relative(options.cwd, path);
  let parsed: unknown;
  // Editors on Windows may start the file with a byte order mark, which JSON.parse refuses.
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${label}: not valid JSON, ${jsonErrorWhere(text, error)}`);
  }
  if (!isPlainObject(parsed)) throw new UsageError(`${label}: must hold a JSON object`);
  for (const [key, value] of flatten(parsed)) {
    if (!KNOWN.has(key)) throw new UsageError(`${label}: unknown key "${key}"${suggest(key)}`);
    // Paths in a file are relative to the file, so a config works from any working directory.
    const source = `${label}: ${key}`;
    set(
      key as ConfigKey,
      parseValue(key as ConfigKey, value, source, dirname(path), false),
      source,
    );
  }
  return path;
}

function readEnvironment(options: LoadConfigOptions, set: Setter): void {
  const byName = new Map(KEYS.map((key) => [envVarName(key), key]));
  for (const [name, raw] of Object.entries(options.env)) {
    if (!name.startsWith('CHURN_') || raw === undefined) continue;
    const key = byName.get(name);
    if (!key) throw new UsageError(`${name}: unknown configuration variable${suggest(name, true)}`);
    set(key, parseValue(key, raw, name, options.cwd, true), name);
  }
}

/**
 * Checks one value against its key's schema. Values from the environment and flags arrive as
 * text and are converted (`null`, numbers); values from the JSON file must already have the right
 * JSON type.
 */
function parseValue(
  key: ConfigKey,
  raw: unknown,
  source: string,
  baseDir: string,
  fromText: boolean,
): unknown {
  const spec = SPECS[key];
  const schema = schemaOf(spec);
  const candidates =
    !fromText || typeof raw !== 'string' ? [raw] : raw === 'null' ? [null] : textValues(raw);
  for (const candidate of candidates) {
    const parsed = schema.safeParse(candidate);
    if (!parsed.success) continue;
    const value = parsed.data;
    // `-` is standard input or output, wherever the command runs.
    return spec.path && typeof value === 'string' && !isAbsolute(value) && !isStandardStream(value)
      ? resolve(baseDir, value)
      : value;
  }
  const shown = spec.secret ? 'a value that is not shown' : (spec.shown ?? JSON.stringify)(raw);
  throw new UsageError(`${source} must be ${describeAccepted(spec)}, got ${shown}`);
}

/** A text value as itself, then as the number it spells, if it spells one. */
function textValues(text: string): unknown[] {
  const number = parseNumber(text);
  return typeof number === 'number' ? [text, number] : [text];
}

const schemas = new WeakMap<KeySpec, z.ZodType>();

function schemaOf(spec: KeySpec): z.ZodType {
  let schema = schemas.get(spec);
  if (!schema) {
    schema = spec.schema(z);
    schemas.set(spec, schema);
  }
  return schema;
}

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

/** What a key accepts, in words, from its schema: "an integer from 1 to 64 or null". */
export function describeAccepted(spec: KeySpec): string {
  const json = z.toJSONSchema(schemaOf(spec)) as JsonSchema;
  const alternatives = json.anyOf ?? [json];
  const orNull = alternatives.some((option) => option.type === 'null') ? ' or null' : '';
  if (spec.accepts) return spec.accepts + orNull;
  const [value, ...others] = alternatives.filter((option) => option.type !== 'null');
  if (others.length > 0)
    throw new Error('a key of several kinds of value must say what it accepts');
  return describeJson(value, spec.path === true) + orNull;
}

function describeJson(schema: JsonSchema, path: boolean): string {
  if (schema.enum) return `one of ${schema.enum.join(', ')}`;
  if (schema.type === 'string') return path ? 'a path' : 'a non-empty string';
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (schema.type === 'integer') {
    return maximum === undefined || maximum >= Number.MAX_SAFE_INTEGER
      ? `an integer of at least ${minimum}`
      : `an integer from ${minimum} to ${maximum}`;
  }
  if (schema.type === 'number' && exclusiveMinimum !== undefined) {
    return `a number between ${exclusiveMinimum} and ${exclusiveMaximum} (exclusive)`;
  }
  if (schema.type === 'number') return `a number from ${minimum} to ${maximum}`;
  throw new Error(`no words for the schema ${JSON.stringify(schema)}`);
}

function parseNumber(text: string): number | string {
  const trimmed = text.trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) ? Number(trimmed) : text;
}

function flatten(object: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(object)) {
    const key = prefix + name;
    if (isPlainObject(value) && !KNOWN.has(key)) entries.push(...flatten(value, `${key}.`));
    else entries.push([key, value]);
  }
  return entries;
}

/** The keys' values as the nested object their dots describe. */
function nest(values: Map<ConfigKey, unknown>): ChurnConfig {
  const root: Record<string, unknown> = {};
  for (const [key, value] of values) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  // Every key was validated against its schema, and ChurnConfig is those schemas' output, nested.
  return root as ChurnConfig;
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
