/** ` (did you mean "x"?)` for the first candidate within two edits of a mistyped name, else ''. */
export function didYouMean(
  name: string,
  candidates: readonly string[],
  ignoreCase = false,
): string {
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  const close = candidates.find((candidate) => editDistance(fold(candidate), fold(name)) <= 2);
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
