import { describe, expect, it } from 'vitest';
import { jsonErrorWhere } from '../../src/common/json-error.js';

function complaint(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonErrorWhere(text, error);
  }
  throw new Error('parsed');
}

describe("JSON.parse's complaint", () => {
  it('names the line and column of the offending character, counting both from 1', () => {
    expect(complaint('{"a": 1,}')).toBe('line 1, column 9: Expected double-quoted property name');
    expect(complaint('{\n  "a": 1,\n  "b": 2,\n}')).toBe(
      'line 4, column 1: Expected double-quoted property name',
    );
  });

  it('is left as it is when V8 names no position (it quotes the text instead)', () => {
    expect(complaint('')).toBe('Unexpected end of JSON input');
    expect(complaint('[1, tru]')).toMatch(/^Unexpected token/);
  });
});
