/** The "did you mean" of a mistyped column, flag or configuration key. */
import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../src/common/suggest.js';

const COLUMNS = ['id_cliente', 'pais', 'genero', 'idade', 'saiu', 'escore_credito'];

describe('didYouMean', () => {
  it('suggests the closest name, not the first one within two edits', () => {
    // "pais" is two edits from "sai", "saiu" one: a user who typed --target sai meant saiu.
    expect(didYouMean('sai', COLUMNS)).toBe(' (did you mean "saiu"?)');
    expect(didYouMean('idd', COLUMNS)).toBe(' (did you mean "idade"?)');
  });

  it('keeps the first of equally close names, and folds case only when asked', () => {
    expect(didYouMean('pai', ['pais', 'paiz'])).toBe(' (did you mean "pais"?)');
    expect(didYouMean('SAIU', COLUMNS)).toBe('');
    expect(didYouMean('SAIU', COLUMNS, true)).toBe(' (did you mean "saiu"?)');
  });

  it('suggests nothing beyond two edits', () => {
    expect(didYouMean('churned', COLUMNS)).toBe('');
    expect(didYouMean('x', [])).toBe('');
  });
});
