/**
 * How one CSV cell reads as a value. The same rules serve training and scoring, so a cell means
 * the same thing to the model whichever command reads it.
 */

/** Tokens that mean "no value", compared after trimming and ignoring case. */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', '?']);

export function isMissing(text: string): boolean {
  // Most cells are long or plainly present: only short ones can be a missing token.
  if (text.length > 6) return false;
  return MISSING_TOKENS.has(text.trim().toLowerCase());
}

/**
 * The number a present cell holds, or NaN when it is not a plain decimal number. Hex, binary
 * and octal literals and infinities are text, not numbers. With `decimalComma` (files separated
 * by `;`, tab or `|`), `1234,5` reads as 1234.5, as European spreadsheets write it.
 */
export function parseNumber(text: string, decimalComma = false): number {
  const value = Number(text);
  if (Number.isFinite(value)) return hasRadixPrefix(text) ? NaN : value;
  if (decimalComma && text.includes(',')) {
    const swapped = Number(text.replace(',', '.'));
    if (Number.isFinite(swapped) && !text.includes('.')) return swapped;
  }
  return NaN;
}

function hasRadixPrefix(text: string): boolean {
  const trimmed = text.trimStart();
  const start = trimmed[0] === '-' || trimmed[0] === '+' ? 1 : 0;
  if (trimmed[start] !== '0') return false;
  const marker = trimmed[start + 1];
  return (
    marker === 'x' ||
    marker === 'X' ||
    marker === 'b' ||
    marker === 'B' ||
    marker === 'o' ||
    marker === 'O'
  );
}

/** The category a present cell names: surrounding spaces are not part of it. */
export function categoryOf(text: string): string {
  return text.trim();
}
