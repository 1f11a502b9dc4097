import { InvalidArgumentError } from 'commander';
import type { Delimiter } from '../data/delimiter.js';

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
