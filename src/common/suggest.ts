/**
 * ` (did you mean "x"?)` for the candidate fewest edits away from a mistyped name, if within
 * two (the first of equals), else ''.
 */
export function didYouMean(
  name: string,
  candidates: readonly string[],
  ignoreCase = false,
): string {
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  let close: string | undefined;
  let fewest = 3;
  for (const candidate of candidates) {
    const edits = editDistance(fold(candidate), fold(name));
    if (edits < fewest) [close, fewest] = [candidate, edits];
  }
  return close !== undefined ? ` (did you mean "${close}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}
