/** Seconds since `started` (a `performance.now()` reading), to the millisecond, as logs, results and metrics give them. */
export function secondsSince(started: number): number {
  return Number(((performance.now() - started) / 1000).toFixed(3));
}
