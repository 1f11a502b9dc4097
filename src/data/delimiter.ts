/**
 * Which separator a CSV uses, guessed from its first lines: the candidate that appears the same
 * number of times (at least once) on every sampled line, outside quotes; among those, the most
 * frequent on the header.
 */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

const SAMPLE_LINES = 20;

export function detectDelimiter(sample: string): Delimiter {
  const lines = splitSampleLines(sample).slice(0, SAMPLE_LINES);
  if (lines.length === 0) return ',';
  let best: Delimiter = ',';
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    const counts = lines.map((line) => countOutsideQuotes(line, delimiter));
    const consistent = counts.every((count) => count === counts[0]);
    if (consistent && counts[0] > bestCount) {
      best = delimiter;
      bestCount = counts[0];
    }
  }
  if (bestCount > 0) return best;
  // No candidate agrees on every line (ragged rows): fall back to the header's most frequent.
  for (const delimiter of DELIMITERS) {
    const count = countOutsideQuotes(lines[0], delimiter);
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

/** Whole lines only (a quoted field may span lines); the last, possibly cut, line is dropped. */
function splitSampleLines(sample: string): string[] {
  const lines: string[] = [];
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < sample.length; i++) {
    const char = sample[i];
    if (char === '"') inQuotes = !inQuotes;
    else if (char === '\n' && !inQuotes) {
      const line = sample.slice(start, i).replace(/\r$/, '');
      if (line.trim() !== '') lines.push(line);
      start = i + 1;
    }
  }
  const last = sample.slice(start).replace(/\r$/, '');
  if (lines.length === 0 && last.trim() !== '') lines.push(last);
  return lines;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let inQuotes = false;
  for (const char of line) {
    if (char === '"') inQuotes = !inQuotes;
    else if (char === delimiter && !inQuotes) count++;
  }
  return count;
}
