/**
 * Expected failures. The CLI's error boundary prints their message as one `error:` line and exits
 * with their code; anything else is a bug and exits 1 with its stack in the log file.
 */
export class ChurnError extends Error {
  readonly exitCode: number = 1;

  /** Line breaks that came with the input (a quoted value, a column name) are shown escaped. */
  constructor(message: string) {
    super(message.replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
    // The log file's error.name and the stack's first word say which kind of failure it was.
    this.name = new.target.name;
  }
}

/** Bad flags or configuration: the user can fix the command line. */
export class UsageError extends ChurnError {
  override readonly exitCode = 2;
}

export interface InputLocation {
  file: string;
  line?: number;
  column?: string;
  /**
   * The data record at fault (0-based), not shown: for a caller that read rows gathered from
   * other files, to name the file and line the record came from.
   */
  record?: number;
}

/** Bad or missing input files: the message names the file and, where known, line and column. */
export class InputError extends ChurnError {
  override readonly exitCode = 2;
  readonly location: InputLocation;
  /** The message without its location. */
  readonly problem: string;

  constructor(location: InputLocation, problem: string) {
    super(`${formatLocation(location)}: ${problem}`);
    this.location = location;
    this.problem = problem;
  }
}

function formatLocation({ file, line, column }: InputLocation): string {
  let where = file;
  if (line !== undefined) where += `, line ${line}`;
  if (column !== undefined) where += `, column "${column}"`;
  return where;
}
