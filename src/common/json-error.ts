/**
 * JSON.parse's complaint where a person can find it: V8 names a character offset ("at position
 * 812"), a reader of a file or a request body wants its line and column.
 */
export function jsonErrorWhere(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message);
  if (!match) return message;
  const offset = Number(match[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}: ${message.slice(0, match.index)}`;
}
