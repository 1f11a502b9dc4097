/** CSV output as RFC 4180 writes it: comma-separated, fields quoted only when they must be. */

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}
