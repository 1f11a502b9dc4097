/**
 * Inline SVG charts for the model report: drawn here rather than by a charting library because
 * the report must be one self-contained file with no script, and these few chart kinds are
 * small enough to own outright (a library such as Vega or Chart.js needs a runtime in the page;
 * d3 needs a DOM to draw into). Output is deterministic text, so reports diff cleanly.
 */

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const fmt = (value: number) => Number(value.toFixed(2)).toString();

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const SQUARE: Frame = { width: 340, height: 320, left: 48, right: 12, top: 12, bottom: 44 };

function plotX(frame: Frame, x: number): number {
  return frame.left + x * (frame.width - frame.left - frame.right);
}

function plotY(frame: Frame, y: number): number {
  return frame.height - frame.bottom - y * (frame.height - frame.top - frame.bottom);
}

function svgOpen(frame: Frame, label: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${frame.width} ${frame.height}" ` +
    `width="${frame.width}" height="${frame.height}" role="img" aria-label="${escapeHtml(label)}">`
  );
}

/** Axes from 0 to 1 on both sides, with a light grid every 0.2. */
function unitAxes(frame: Frame, xLabel: string, yLabel: string): string {
  const parts: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const t = i / 5;
    const x = plotX(frame, t);
    const y = plotY(frame, t);
    parts.push(
      `<line class="grid" x1="${fmt(x)}" y1="${fmt(plotY(frame, 0))}" x2="${fmt(x)}" y2="${fmt(plotY(frame, 1))}"/>`,
      `<line class="grid" x1="${fmt(plotX(frame, 0))}" y1="${fmt(y)}" x2="${fmt(plotX(frame, 1))}" y2="${fmt(y)}"/>`,
      `<text class="tick" x="${fmt(x)}" y="${fmt(plotY(frame, 0) + 14)}" text-anchor="middle">${t.toFixed(1)}</text>`,
      `<text class="tick" x="${fmt(plotX(frame, 0) - 6)}" y="${fmt(y + 4)}" text-anchor="end">${t.toFixed(1)}</text>`,
    );
  }
  const midX = plotX(frame, 0.5);
  const midY = plotY(frame, 0.5);
  parts.push(
    `<rect class="axis" x="${fmt(plotX(frame, 0))}" y="${fmt(plotY(frame, 1))}" width="${fmt(plotX(frame, 1) - plotX(frame, 0))}" height="${fmt(plotY(frame, 0) - plotY(frame, 1))}"/>`,
    `<text class="label" x="${fmt(midX)}" y="${frame.height - 8}" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
    `<text class="label" x="12" y="${fmt(midY)}" text-anchor="middle" transform="rotate(-90 12 ${fmt(midY)})">${escapeHtml(yLabel)}</text>`,
  );
  return parts.join('');
}

export interface CurveSeries {
  name: string;
  points: Array<[number, number]>;
  /** A CSS class giving its colour: `series-0`, `series-1`. */
  className: string;
}

/** Curves in the unit square (ROC, precision-recall), with an optional chance diagonal. */
export function curveChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: CurveSeries[];
  diagonal?: boolean;
  /** A point to mark, e.g. the tuned threshold's operating point. */
  /** A mark's `text`, when it has one, is written beside it; its label is its tooltip. */
  marks?: Array<{ point: [number, number]; label: string; className: string; text?: string }>;
}): string {
  const frame = SQUARE;
  const parts = [svgOpen(frame, options.title), unitAxes(frame, options.xLabel, options.yLabel)];
  if (options.diagonal) {
    parts.push(
      `<line class="chance" x1="${fmt(plotX(frame, 0))}" y1="${fmt(plotY(frame, 0))}" x2="${fmt(plotX(frame, 1))}" y2="${fmt(plotY(frame, 1))}"/>`,
    );
  }
  for (const series of options.series) {
    const d = series.points
      .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${fmt(plotX(frame, x))} ${fmt(plotY(frame, y))}`)
      .join('');
    parts.push(
      `<path class="curve ${series.className}" d="${d}"><title>${escapeHtml(series.name)}</title></path>`,
    );
  }
  let labelled = 0;
  for (const mark of options.marks ?? []) {
    const [x, y] = mark.point;
    const cx = plotX(frame, x);
    const cy = plotY(frame, y);
    parts.push(
      `<circle class="mark ${mark.className}" cx="${fmt(cx)}" cy="${fmt(cy)}" r="4"><title>${escapeHtml(mark.label)}</title></circle>`,
    );
    if (mark.text !== undefined) {
      // Right of the point, or left of it past the middle, so the text stays inside the plot;
      // below it near the top; each further label a line lower, so two close marks stay legible.
      const right = x < 0.55;
      const dy = (y > 0.85 ? 14 : -8) + 13 * labelled++;
      parts.push(
        `<text class="mark-label ${mark.className}" x="${fmt(cx + (right ? 8 : -8))}" y="${fmt(cy + dy)}" text-anchor="${right ? 'start' : 'end'}">${escapeHtml(mark.text)}</text>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Score histograms of several groups as shares of each group, side by side per bin. */
export function histogramChart(options: {
  title: string;
  groups: Array<{ name: string; counts: number[]; className: string }>;
  /** Drawn as a vertical line. */
  threshold?: number;
}): string {
  const frame: Frame = { width: 700, height: 280, left: 48, right: 12, top: 12, bottom: 44 };
  const bins = options.groups[0]?.counts.length ?? 0;
  const shares = options.groups.map((group) => {
    const total = group.counts.reduce((sum, count) => sum + count, 0) || 1;
    return group.counts.map((count) => count / total);
  });
  const top = Math.max(0.05, ...shares.flat());
  const yMax = Math.ceil(top * 10) / 10;
  const parts = [svgOpen(frame, options.title)];
  for (let i = 0; i <= 4; i++) {
    const share = (yMax * i) / 4;
    const y = plotY(frame, share / yMax);
    parts.push(
      `<line class="grid" x1="${plotX(frame, 0)}" y1="${fmt(y)}" x2="${fmt(plotX(frame, 1))}" y2="${fmt(y)}"/>`,
      `<text class="tick" x="${plotX(frame, 0) - 6}" y="${fmt(y + 4)}" text-anchor="end">${Math.round(share * 100)}%</text>`,
    );
  }
  const binWidth = (plotX(frame, 1) - plotX(frame, 0)) / Math.max(1, bins);
  const barWidth = (binWidth - 2) / Math.max(1, options.groups.length);
  options.groups.forEach((group, g) => {
    shares[g].forEach((share, b) => {
      const x = plotX(frame, 0) + b * binWidth + 1 + g * barWidth;
      const y = plotY(frame, share / yMax);
      const low = (b / bins).toFixed(2);
      const high = ((b + 1) / bins).toFixed(2);
      parts.push(
        `<rect class="bar ${group.className}" x="${fmt(x)}" y="${fmt(y)}" width="${fmt(barWidth)}" height="${fmt(plotY(frame, 0) - y)}">` +
          `<title>${escapeHtml(group.name)}, scores ${low} to ${high}: ${group.counts[b]} (${(share * 100).toFixed(1)}%)</title></rect>`,
      );
    });
  });
  for (let i = 0; i <= 10; i++) {
    const x = plotX(frame, i / 10);
    parts.push(
      `<text class="tick" x="${fmt(x)}" y="${fmt(plotY(frame, 0) + 14)}" text-anchor="middle">${(i / 10).toFixed(1)}</text>`,
    );
  }
  if (options.threshold !== undefined) {
    const x = plotX(frame, options.threshold);
    parts.push(
      `<line class="threshold" x1="${fmt(x)}" y1="${fmt(plotY(frame, 0))}" x2="${fmt(x)}" y2="${fmt(plotY(frame, 1))}"/>`,
      `<text class="tick" x="${fmt(x + 4)}" y="${fmt(plotY(frame, 1) + 10)}">threshold ${options.threshold.toFixed(3)}</text>`,
    );
  }
  parts.push(
    `<line class="axis-line" x1="${plotX(frame, 0)}" y1="${fmt(plotY(frame, 0))}" x2="${fmt(plotX(frame, 1))}" y2="${fmt(plotY(frame, 0))}"/>`,
    `<text class="label" x="${fmt(plotX(frame, 0.5))}" y="${frame.height - 8}" text-anchor="middle">churn probability</text>`,
    '</svg>',
  );
  return parts.join('');
}

/** Horizontal bars with labels, largest first as given; `className` picks each bar's colour. */
export function barChart(options: {
  title: string;
  bars: Array<{ label: string; value: number; text: string; className: string }>;
  max: number;
}): string {
  const rowHeight = 24;
  const labelWidth = 150;
  const width = 520;
  const height = options.bars.length * rowHeight + 8;
  const span = width - labelWidth - 120;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`,
  ];
  options.bars.forEach((bar, i) => {
    const y = 4 + i * rowHeight;
    const length = Math.max(1, (Math.min(bar.value, options.max) / options.max) * span);
    parts.push(
      `<text class="bar-label" x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(bar.label)}</text>`,
      `<rect class="bar ${bar.className}" x="${labelWidth}" y="${y + 3}" width="${fmt(length)}" height="${rowHeight - 8}"><title>${escapeHtml(bar.label)}: ${escapeHtml(bar.text)}</title></rect>`,
      `<text class="bar-value" x="${fmt(labelWidth + length + 6)}" y="${y + 16}">${escapeHtml(bar.text)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Points of (x, y), y centred on 0 (a dashed line): a dependence plot, each point a row's value of
 * a feature and its contribution. With `categories`, x is a category's index and points spread
 * sideways within its column, so that many rows of one category stay visible.
 */
export function scatterChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  points: Array<[number, number]>;
  categories?: string[];
  /** How a y value reads at its tick: e.g. in percentage points. */
  yTick: (value: number) => string;
  className: string;
}): string {
  const frame: Frame = { width: 340, height: 280, left: 52, right: 12, top: 12, bottom: 44 };
  const { points, categories } = options;
  const xs = points.map(([x]) => x);
  const [xMin, xMax] = categories
    ? [-0.5, categories.length - 0.5]
    : paddedRange(Math.min(...xs), Math.max(...xs));
  const yMax = niceCeiling(Math.max(1e-3, ...points.map(([, y]) => Math.abs(y))) * 1.05);
  const x = (value: number) => plotX(frame, (value - xMin) / (xMax - xMin || 1));
  const y = (value: number) => plotY(frame, (value + yMax) / (2 * yMax));
  const parts = [svgOpen(frame, options.title)];
  for (let i = 0; i <= 4; i++) {
    const value = -yMax + (i * yMax) / 2;
    parts.push(
      `<line class="grid" x1="${fmt(plotX(frame, 0))}" y1="${fmt(y(value))}" x2="${fmt(plotX(frame, 1))}" y2="${fmt(y(value))}"/>`,
      `<text class="tick" x="${fmt(plotX(frame, 0) - 6)}" y="${fmt(y(value) + 4)}" text-anchor="end">${escapeHtml(options.yTick(value))}</text>`,
    );
  }
  const xTicks = categories
    ? categories.map((name, index) => ({ at: index, text: name }))
    : niceTicks(xMin, xMax).map((at) => ({ at, text: compactNumber(at) }));
  for (const tick of xTicks) {
    parts.push(
      `<text class="tick" x="${fmt(x(tick.at))}" y="${fmt(plotY(frame, 0) + 14)}" text-anchor="middle">${escapeHtml(tick.text)}</text>`,
    );
  }
  parts.push(
    `<line class="zero" x1="${fmt(plotX(frame, 0))}" y1="${fmt(y(0))}" x2="${fmt(plotX(frame, 1))}" y2="${fmt(y(0))}"/>`,
  );
  points.forEach(([px, py], i) => {
    // The golden ratio spreads the points of a category evenly, the same way every time.
    const spread = categories ? (((i * 0.618034) % 1) - 0.5) * 0.6 : 0;
    parts.push(
      `<circle class="point ${options.className}" cx="${fmt(x(px + spread))}" cy="${fmt(y(py))}" r="2.2"/>`,
    );
  });
  const midY = plotY(frame, 0.5);
  parts.push(
    `<rect class="axis" x="${fmt(plotX(frame, 0))}" y="${fmt(plotY(frame, 1))}" width="${fmt(plotX(frame, 1) - plotX(frame, 0))}" height="${fmt(plotY(frame, 0) - plotY(frame, 1))}"/>`,
    `<text class="label" x="${fmt(plotX(frame, 0.5))}" y="${frame.height - 8}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`,
    `<text class="label" x="12" y="${fmt(midY)}" text-anchor="middle" transform="rotate(-90 12 ${fmt(midY)})">${escapeHtml(options.yLabel)}</text>`,
    '</svg>',
  );
  return parts.join('');
}

function paddedRange(min: number, max: number): [number, number] {
  const pad = (max - min) * 0.03 || Math.abs(min) * 0.1 || 1;
  return [min - pad, max + pad];
}

/** The smallest round number (1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten) at or above `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 3, 4, 5, 6, 8, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Round values (multiples of 1, 2 or 5 times a power of ten) from min to max, about five. */
function niceTicks(min: number, max: number): number[] {
  const rough = (max - min) / 5 || 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let at = Math.ceil(min / step) * step; at <= max; at += step)
    ticks.push(Number(at.toPrecision(12)));
  return ticks;
}

/** 1234567 → "1.23M", 45000 → "45k", 0.125 → "0.125". */
function compactNumber(value: number): string {
  const size = Math.abs(value);
  if (size >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (size >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}
