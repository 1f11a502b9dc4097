/**
 * How long since a `performance.now()` reading, in seconds: the one way churn measures a
 * duration, for logs, results and metrics alike.
 */

/** To the millisecond, as logs, results and job metrics give durations. */
export function secondsSince(started: number): number {
  return Number(elapsedSeconds(started).toFixed(3));
}

/** Unrounded, for what may take less than a millisecond (a request's latency). */
export function elapsedSeconds(started: number): number {
  return (performance.now() - started) / 1000;
}
