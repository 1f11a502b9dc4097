/**
 * Secrets never reach a message, whatever their source: every line churn shows or logs (the error
 * boundary, the logger's console and file, a command's result) passes through `redact`, which
 * hides the secrets this run knows (registered where they are read: the configuration, the
 * Pushgateway's credentials) in any spelling a message could carry them (as given, URL-encoded,
 * inside Basic credentials), and whatever looks like a credential on its own: an Authorization
 * header, a Bearer or Basic token, the user and password of a URL. So a gateway that echoes the
 * request's headers in its error body shows `Authorization: ***`.
 */

const HIDDEN = '***';
/** Shorter values would hide ordinary words; the patterns below still catch them in headers. */
const MIN_LENGTH = 4;
const known = new Set<string>();

/** A value this run must never show. */
export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < MIN_LENGTH) return;
  for (const spelling of [
    value,
    encodeURIComponent(value),
    Buffer.from(value).toString('base64'),
  ]) {
    known.add(spelling);
  }
}

/** Credentials a user:password pair yields, the pair's Basic encoding included. */
export function registerCredentials(username: string, password: string): void {
  registerSecret(password);
  registerSecret(`${username}:${password}`);
}

const PATTERNS: Array<[RegExp, string]> = [
  // An Authorization header, however quoted or cased: its whole value.
  [/(authorization["']?\s*[:=]\s*["']?)[^\r\n"',}]+/gi, `$1${HIDDEN}`],
  // A token after its scheme: long, and not a word (it has a digit or a symbol).
  [
    /\b(Bearer|Basic)(\s+)(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}/g,
    `$1$2${HIDDEN}`,
  ],
  // scheme://user:password@host → scheme://***@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, `$1${HIDDEN}@`],
];

export function redact(text: string): string {
  let result = text;
  // Longest first, so a secret containing another is hidden whole.
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    if (result.includes(secret)) result = result.split(secret).join(HIDDEN);
  }
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** Redacts every string inside a value (a log line's context), keeping its shape. */
export function redactDeep<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value === 'string') return redact(value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, seen)) as T;
  const copy: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(value)) {
    copy[key] = redactDeep((value as Record<string | symbol, unknown>)[key], seen);
  }
  return copy as T;
}

/** For tests: forget the secrets registered so far. */
export function forgetSecrets(): void {
  known.clear();
}
