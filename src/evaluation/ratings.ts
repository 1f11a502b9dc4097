/** The course's words for a metric's value: what instructors and dashboards say out loud. */
export type Rating = 'excellent' | 'good' | 'acceptable' | 'weak' | 'poor';

export function rate(value: number): Rating {
  if (value > 0.9) return 'excellent';
  if (value > 0.8) return 'good';
  if (value > 0.7) return 'acceptable';
  if (value > 0.6) return 'weak';
  return 'poor';
}
