/**
 * Two steps between what the tutorial's commands print and what the documents show.
 *
 * `forReaders` turns one run's output into what a reader of the docs would see in their clone:
 * the scratch project is their clone (`/…`), the stack listens on its default ports, and a stack
 * trace keeps its first line. The excerpts are written through it.
 *
 * `comparable` then blanks what legitimately differs from run to run, and nothing else: dates
 * and times, durations, run ids, process ids, epoch timestamps, the home a project's running
 * totals are pushed under (named after the host, with a random suffix), and model versions (named by
 * their creation time), which become `<version 1>`, `<version 2>`… in order of appearance across
 * the whole run, so an excerpt naming the wrong version still fails. The doc test compares the
 * committed excerpts with a new run's through it.
 */

export interface RunPlaces {
  /** The scratch project, standing for the reader's clone. */
  project: string;
  /** Each port the run's stack listens on → the default port a reader's stack uses. */
  ports: Array<[number, number]>;
}

export function forReaders(text: string, places: RunPlaces): string {
  let result = text.replaceAll(places.project, '/…');
  for (const [actual, usual] of places.ports) {
    // In a column (two spaces or more after it), the shorter default port keeps the column's width.
    const padding = ' '.repeat(Math.max(0, String(actual).length - String(usual).length));
    result = result.replace(
      new RegExp(`(127\\.0\\.0\\.1|localhost|port )(:?)${actual}\\b( {2,})?`, 'g'),
      (_, host: string, colon: string, column?: string) =>
        `${host}${colon}${usual}${column === undefined ? '' : column + padding}`,
    );
  }
  // A stack trace's frames name the clone's files and lines: its first line says what it was.
  return result.replace(/(\\n\s+at )(?:[^"\\]|\\.)*/g, '$1…');
}

/** Numbers model versions in order of appearance, across every text given to one instance. */
export class Comparable {
  private readonly versions = new Map<string, number>();

  normalize(text: string): string {
    return (
      text
        // 20261127-014436-900-78c6: a version is its creation time and a random suffix.
        .replace(/\b\d{8}-\d{6}-\d{3}-[0-9a-f]{4}\b/g, (version) => {
          if (!this.versions.has(version)) this.versions.set(version, this.versions.size + 1);
          return `<version ${this.versions.get(version)}>`;
        })
        .replace(/\b\d{8}T\d{6}Z\b/g, '<stamp>')
        .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, '<timestamp>')
        .replace(/(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)/g, '<date>')
        .replace(/(?<!\d)\d{2}:\d{2}:\d{2}(\.\d+)?(?!\d)/g, '<time>')
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<run id>')
        .replace(/\bin \d+(\.\d+)?s\b/g, 'in <duration>')
        .replace(/("seconds":|\bseconds=)\d+(\.\d+)?/g, '$1<duration>')
        .replace(/\bpid[= ]\d+/g, 'pid <pid>')
        .replace(/\bhome(="|=)[\w.-]+/g, 'home$1<home>')
        // Unix times: 1.7957439113584108e+09 in the exposition format, 1795743911.358 in JSON.
        .replace(/\b1\.\d+e\+09\b/g, '<epoch>')
        .replace(/\b1[789]\d{8}(\.\d+)?\b/g, '<epoch>')
        // Whether Grafana started depends on whether the machine has it (docs/stack.md).
        .replace(/^ {2}Grafana {2,}.*\n/gm, '')
        .replace(/^Grafana: .*$/gm, '<grafana, if installed>')
    );
  }
}
