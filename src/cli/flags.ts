/**
 * Each flag is declared once: the declaration gives commander its option and, for a flag that
 * sets a configuration key, the override the configuration loader validates like the same key in
 * a file or a CHURN_* variable. Help shows every option's default: the key's built-in one from
 * the configuration schema, or the flag's own.
 */
import { Option, type Command } from 'commander';
import type { FlagOverride } from '../config/load.js';
import { CONFIG_SCHEMA, type ConfigKey } from '../config/schema.js';

export interface FlagDeclaration {
  /** As commander takes them: `--trees <n>`, `-q, --quiet`, `--no-color`. */
  flags: string;
  description: string;
  /** The configuration key the flag sets; its default and validation are the key's. */
  key?: ConfigKey;
  /** The default as help shows it, when the value alone does not say it (`every core`). */
  defaultText?: string;
  /** The value of a flag that sets no key when it is not given. */
  default?: unknown;
  /** Turns the text given into the value; `previous` accumulates repeated flags. */
  parse?: (value: string, previous: never) => unknown;
  choices?: readonly string[];
  required?: boolean;
}

const keyOf = new WeakMap<Option, ConfigKey>();
const defaultTextOf = new WeakMap<Option, string>();

export function addFlags(command: Command, flags: readonly FlagDeclaration[]): Command {
  for (const flag of flags) command.addOption(toOption(flag));
  return command;
}

function toOption(flag: FlagDeclaration): Option {
  const option = new Option(flag.flags, flag.description);
  if (flag.choices) option.choices(flag.choices);
  if (flag.parse) option.argParser(flag.parse as (value: string, previous: unknown) => unknown);
  if (flag.default !== undefined) option.default(flag.default);
  if (flag.required) option.makeOptionMandatory();
  if (flag.key) keyOf.set(option, flag.key);
  const shown = flag.defaultText ?? defaultOf(flag);
  if (shown !== undefined) defaultTextOf.set(option, shown);
  return option;
}

function defaultOf(flag: FlagDeclaration): string | undefined {
  const value = flag.key ? CONFIG_SCHEMA[flag.key].default : flag.default;
  return value === undefined || value === null || typeof value === 'boolean'
    ? undefined
    : String(value);
}

/** The configuration key an option sets, if any. */
export function configKeyOf(option: Option): ConfigKey | undefined {
  return keyOf.get(option);
}

/** The configuration keys set on the command line, the program's flags first. */
export function configOverrides(command: Command): FlagOverride[] {
  const chain: Command[] = [];
  for (let at: Command | null = command; at; at = at.parent) chain.unshift(at);
  return chain.flatMap((owner) =>
    owner.options.flatMap((option) => {
      const key = keyOf.get(option);
      const value: unknown = owner.getOptionValue(option.attributeName());
      return key && value !== undefined ? [{ key, value, flag: option.long! }] : [];
    }),
  );
}

/** An option's help line after its name: its description, choices and default. */
export function optionHelp(option: Option): string {
  const extra: string[] = [];
  if (option.mandatory) extra.push('required');
  if (option.argChoices) extra.push(`choices: ${option.argChoices.join(', ')}`);
  const shown = defaultTextOf.get(option);
  if (shown !== undefined) extra.push(`default: ${shown}`);
  return extra.length > 0 ? `${option.description} (${extra.join('; ')})` : option.description;
}
