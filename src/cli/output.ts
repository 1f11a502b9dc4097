import type { ChalkInstance } from 'chalk';
import { palette } from '../common/colors.js';
import { redact } from '../common/secrets.js';
import { UsageError } from '../common/errors.js';
import { isStandardStream } from '../common/standard-streams.js';

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/**
 * What a command shows the user. With --json stdout carries exactly one JSON document; otherwise
 * a human rendering. Progress and logs live on stderr so stdout stays pipeable either way.
 */
export class Output {
  readonly c: ChalkInstance;
  /** Standard output carries the command's data (`--out -`): the result goes to stderr. */
  private stdoutTaken = false;

  constructor(
    readonly streams: OutputStreams,
    readonly json: boolean,
    readonly quiet: boolean,
    readonly color: boolean,
  ) {
    this.c = palette(color);
  }

  /**
   * Prints the command's result: with --json, `data` (or the documented shape `json` picks from
   * it); otherwise what `human` renders.
   */
  result<T>(
    data: T,
    human: (data: T, c: ChalkInstance) => string,
    json: (data: T) => unknown = (same) => same,
  ): void {
    const text = redact(this.json ? JSON.stringify(json(data), null, 2) : human(data, this.c));
    if (this.stdoutTaken && this.quiet) return;
    const stream = this.stdoutTaken ? this.streams.stderr : this.streams.stdout;
    stream.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /**
   * For `--out -`: the data goes to standard output, so the result goes to stderr like the logs
   * (none with --quiet); --json, which needs stdout for itself, is refused.
   */
  claimStdoutFor(out: string | undefined): void {
    if (!isStandardStream(out)) return;
    if (this.json) {
      throw new UsageError(
        '--json prints on standard output, which --out - writes the rows to: drop one',
      );
    }
    this.stdoutTaken = true;
  }

  /** Progress bars only where a person watches: a TTY, and neither --quiet nor --json. */
  get showsProgress(): boolean {
    return this.streams.stderr.isTTY === true && !this.quiet && !this.json;
  }
}
