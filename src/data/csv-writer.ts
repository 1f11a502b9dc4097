/** CSV output as RFC 4180 writes it: fields quoted only when they must be. */

export function csvField(text: string, delimiter = ','): string {
  const quote =
    text.includes('"') || text.includes('\n') || text.includes('\r') || text.includes(delimiter);
  return quote ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: readonly string[], delimiter = ','): string {
  return fields.map((field) => csvField(field, delimiter)).join(delimiter);
}
