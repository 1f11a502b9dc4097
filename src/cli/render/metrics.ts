/** The metrics table and confusion matrix, as `train` and `models show` print them. */
import type { ChalkInstance } from 'chalk';
import type { ConfusionMatrix, ModelMetrics, RatedMetric, Rating } from '../../evaluation/index.js';
// The module itself, not the index: commands import this one when they are declared.
import { METRIC_LABELS } from '../../evaluation/model-metrics.js';

export function metricsTable(
  metrics: ModelMetrics,
  ratings: Record<RatedMetric, Rating>,
  c: ChalkInstance,
): string {
  const colour: Record<Rating, ChalkInstance> = {
    excellent: c.green.bold,
    good: c.green,
    acceptable: c.yellow,
    weak: c.hex('#ff8c00'),
    poor: c.red,
  };
  const lines = [c.dim(`  ${'metric'.padEnd(10)} ${'value'.padStart(7)}  rating`)];
  for (const key of Object.keys(METRIC_LABELS) as Array<keyof ModelMetrics>) {
    const value = metrics[key].toFixed(4).padStart(7);
    const rating = key === 'threshold' ? '' : colour[ratings[key]](ratings[key]);
    lines.push(`  ${METRIC_LABELS[key].padEnd(10)} ${c.bold(value)}  ${rating}`);
  }
  return lines.join('\n');
}

export function confusionTable(matrix: ConfusionMatrix, c: ChalkInstance): string {
  const cell = (value: number) => value.toLocaleString('en-US').padStart(16);
  return [
    c.dim(`  ${''.padEnd(14)}${'predicted stay'.padStart(16)}${'predicted churn'.padStart(16)}`),
    `  ${'stayed'.padEnd(14)}${cell(matrix.trueNegatives)}${cell(matrix.falsePositives)}`,
    `  ${'churned'.padEnd(14)}${cell(matrix.falseNegatives)}${cell(matrix.truePositives)}`,
  ].join('\n');
}
