/** What churn's exit codes mean, for `churn --help` and docs/cli.md (a test keeps them agreeing). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + the signal's number, as shells report a process a signal stopped. */
export const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export const EXIT_CODES: ReadonlyArray<[code: number, meaning: string]> = [
  [EXIT_OK, 'success'],
  [EXIT_FAILURE, 'an unexpected failure (its stack trace is in the log file)'],
  [EXIT_USAGE, 'bad usage or input: nothing was changed'],
  [3, 'the metrics could not be pushed (--strict-push, export-metrics --pushgateway)'],
  [4, "retrain: another retrain holds the registry's lock"],
  [SIGNAL_EXIT.SIGINT!, 'stopped by SIGINT (Ctrl-C): nothing half-written'],
  [SIGNAL_EXIT.SIGTERM!, 'stopped by SIGTERM: nothing half-written'],
];
