import { readFileSync } from 'node:fs';

/**
 * Reads the generator's own output (no quotes, comma-separated) for assertions. Deliberately not
 * the product's CSV reader: tests of the generator must not depend on it.
 */
export function readSimpleCsv(path: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(columns.map((column, i) => [column, cells[i]]));
  });
}
