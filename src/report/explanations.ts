/**
 * The report's section on what drives the scores, from TreeSHAP explanations of a sample of rows:
 * each feature's mean absolute contribution with the direction of its effect, and dependence
 * plots (a row's value against its contribution) for the strongest features.
 */
import type { Direction, ExplanationSummary, FeatureEffect } from '../evaluation/explanations.js';
import { barChart, escapeHtml, scatterChart } from './svg.js';

const METHOD_NAMES = { exact: 'TreeSHAP', fast: 'path attribution (the fast method)' };

/** Percentage points, signed: 0.052 → "+5.2". */
const points = (value: number) => `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)}`;
/** An axis tick in percentage points: whole ones where the axis spans many. */
const tick = (value: number) =>
  `${value > 0 ? '+' : ''}${Number((value * 100).toFixed(Math.abs(value) >= 0.1 || value === 0 ? 0 : 1))}`;

export const EXPLANATION_TITLE = 'What drives the scores';

/** The section's content and its closing note. */
export function explanationSection(
  summary: ExplanationSummary | null,
  set: string,
): { content: string; note: string } {
  if (!summary) {
    return {
      content:
        '<p class="note">This model was saved before churn explained its scores, or cannot be explained (a model file of an older churn): pass <code>--data</code> with a labelled file to explain it on those rows, or retrain it.</p>',
      note: '',
    };
  }
  const method = METHOD_NAMES[summary.method];
  const effects = summary.features;
  const largest = Math.max(1e-9, ...effects.map((effect) => effect.meanAbs));
  const chart = barChart({
    title: 'Mean absolute contribution per feature',
    max: largest,
    bars: effects.map((effect) => ({
      label: effect.name,
      value: effect.meanAbs,
      text: `${(effect.meanAbs * 100).toFixed(1)} pts`,
      className: `effect-${directionClass(effect)}`,
    })),
  });
  const legend =
    '<ul class="legend"><li><span class="swatch effect-raises"></span>higher values raise the score</li>' +
    '<li><span class="swatch effect-lowers"></span>higher values lower it</li>' +
    '<li><span class="swatch effect-mixed"></span>no single direction, or a category</li></ul>';
  const table = `<table class="effects"><thead><tr><th>feature</th><th>mean |contribution|</th><th>effect</th></tr></thead><tbody>${effects
    .map(
      (effect) =>
        `<tr><th scope="row">${escapeHtml(effect.name)}</th><td class="number">${(effect.meanAbs * 100).toFixed(2)} pts</td><td>${escapeHtml(effectText(effect))}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const plots = effects
    .filter((effect) => effect.points !== null && effect.points.length > 0)
    .map((effect) => dependencePlot(effect))
    .join('');
  const intro = `<p>${escapeHtml(method)} on ${summary.rows.toLocaleString('en-US')} rows of ${escapeHtml(set)}: each customer's score is the base value (${(summary.baseValue * 100).toFixed(1)}%) plus one contribution per feature. A feature's importance is its mean contribution in absolute value, in percentage points.</p>`;
  return {
    content:
      `${intro}<div class="charts"><figure><figcaption>Mean absolute contribution</figcaption>${chart}${legend}</figure>${table}</div>` +
      `<h3>Dependence on the strongest features</h3><div class="charts">${plots}</div>`,
    note: note(),
  };
}

function dependencePlot(effect: FeatureEffect): string {
  const categories = effect.categories?.map((category) => category.name);
  const chart = scatterChart({
    title: `Dependence plot, ${effect.name}`,
    xLabel: effect.name,
    yLabel: 'contribution (percentage points)',
    points: effect.points!,
    categories: effect.kind === 'categorical' ? categories : undefined,
    yTick: tick,
    className: `effect-${directionClass(effect)}`,
  });
  const missing = effect.missing
    ? ` Missing in ${effect.missing.rows} rows (mean ${points(effect.missing.mean)} pts), not drawn.`
    : '';
  return `<figure><figcaption>${escapeHtml(effect.name)}</figcaption>${chart}<p class="note">${escapeHtml(effectText(effect))}.${escapeHtml(missing)}</p></figure>`;
}

function directionClass(effect: FeatureEffect): Direction {
  return effect.direction ?? 'mixed';
}

/** The effect in words: the direction of a number, the categories that raise and lower most. */
export function effectText(effect: FeatureEffect): string {
  if (effect.kind === 'numeric') {
    const rho =
      effect.correlation === null ? '' : ` (rank correlation ${effect.correlation.toFixed(2)})`;
    const words = {
      raises: 'higher values raise the score',
      lowers: 'higher values lower the score',
      mixed: 'no single direction',
    }[directionClass(effect)];
    return words + rho;
  }
  const categories = effect.categories ?? [];
  if (categories.length === 0) return 'no category met';
  const top = categories[0];
  const bottom = categories[categories.length - 1];
  if (categories.length === 1) return `${top.name}: ${points(top.mean)} pts on average`;
  return `${top.name} raises it most (${points(top.mean)} pts on average), ${bottom.name} lowers it most (${points(bottom.mean)})`;
}

function note(): string {
  return '<p class="note">These explain the model, not the customers: a feature with a large contribution is one the model leans on, not a cause of churn, and changing it would not change the risk by that much. Correlated features share credit as the trees happen to split. Unlike the Gini importances below, contributions are measured on held-out customers and do not favour features with many distinct values. See docs/explanations.md.</p>';
}

export const EXPLANATION_STYLE = `
svg .bar.effect-raises, .swatch.effect-raises { fill: var(--churned); background: var(--churned); }
svg .bar.effect-lowers, .swatch.effect-lowers { fill: var(--stayed); background: var(--stayed); }
svg .bar.effect-mixed, .swatch.effect-mixed { fill: #868e96; background: #868e96; }
svg .point { fill-opacity: .55; stroke: none; }
svg .point.effect-raises { fill: var(--churned); } svg .point.effect-lowers { fill: var(--stayed); }
svg .point.effect-mixed { fill: #495057; }
svg .zero { stroke: var(--ink); stroke-dasharray: 3 3; }
h3 { font-size: 15px; margin: 16px 0 8px; }
table.effects td, table.effects th { font-size: 13px; padding: 4px 10px; }
`;
