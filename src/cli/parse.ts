import { InvalidArgumentError } from 'commander';
import type { Delimiter } from '../data/delimiter.js';
import type { Shard } from '../data/shard.js';

/** Commander argument parsers whose errors name the accepted range; commander names the flag. */
export function integerArg(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const number = /^[-+]?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `expected an integer of at least ${min}.`
          : `expected an integer from ${min} to ${max}.`,
      );
    }
    return number;
  };
}

export function numberArg(min: number, max: number) {
  return (value: string): number => {
    const number = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}.`);
    }
    return number;
  };
}

/** `a,b,c` → ['a', 'b', 'c']; repeated flags accumulate. */
export function listArg(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

const DELIMITER_NAMES: Record<string, Delimiter> = {
  ',': ',',
  comma: ',',
  ';': ';',
  semicolon: ';',
  tab: '\t',
  '\t': '\t',
  '\\t': '\t',
  '|': '|',
  pipe: '|',
};

export function delimiterArg(value: string): Delimiter {
  const delimiter = DELIMITER_NAMES[value.toLowerCase()];
  if (delimiter === undefined) {
    throw new InvalidArgumentError('expected one of , ; tab | (or comma, semicolon, pipe).');
  }
  return delimiter;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `label=value` → [label, value]; repeated flags accumulate. */
export function groupingArg(
  value: string,
  previous: Array<[string, string]> = [],
): Array<[string, string]> {
  const at = value.indexOf('=');
  const label = at > 0 ? value.slice(0, at) : '';
  if (!LABEL_NAME.test(label) || label === 'job' || label === 'home') {
    throw new InvalidArgumentError(
      'expected label=value, the label a Prometheus label name other than job and home ' +
        '(home names the folder counting the totals: metrics.home).',
    );
  }
  return [...previous, [label, value.slice(at + 1)]];
}

/** `K/N`, as `--shard` takes it: K from 0 to N - 1. */
export function parseShard(text: string): Shard | null {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return null;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1 || index >= count) return null;
  return { index, count };
}

export function shardArg(value: string): Shard {
  const shard = parseShard(value);
  if (shard === null) throw new InvalidArgumentError('expected K/N, K from 0 to N - 1 (e.g. 0/4).');
  return shard;
}
