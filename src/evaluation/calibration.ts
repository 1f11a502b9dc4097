/**
 * Calibration: a monotone map from the forest's raw probability (the mean of its leaves) to a
 * probability that means what it says, fitted on the training rows' out-of-bag scores.
 *
 * A map is plain JSON, stored with the model and applied wherever a probability is shown:
 *   - `isotonic`: the pool-adjacent-violators fit, as knots (raw score → churn rate) joined by
 *     straight lines and flat beyond the first and last knot;
 *   - `platt`: a logistic curve on the logit of the raw score, 1 / (1 + e^−(a·logit(s) + b));
 *   - `identity`: the raw score (models saved before calibration existed).
 * Every map is non-decreasing, so it never changes how rows rank: AUC is the raw forest's.
 *
 * Explanations (TreeSHAP) are computed on the raw probability; `calibrate(map, raw)` gives the
 * calibrated one, and contributions can be rescaled by
 * (calibrate(map, raw) − calibrate(map, base)) / (raw − base).
 */
import * as z from 'zod';

export type CalibrationMap =
  | { method: 'identity' }
  | {
      method: 'isotonic';
      /** Raw scores, strictly increasing. */
      x: number[];
      /** Calibrated probabilities at each x, non-decreasing, within [0, 1]. */
      y: number[];
    }
  | { method: 'platt'; a: number; b: number };

export type CalibrationMethod = CalibrationMap['method'];

export const IDENTITY: CalibrationMap = { method: 'identity' };

export const CALIBRATION_METHODS = ['platt', 'isotonic', 'identity'] as const;

/** Raw scores are clipped this far from 0 and 1 before their logit is taken. */
const LOGIT_CLIP = 1e-6;

const logit = (p: number) => {
  const q = Math.min(1 - LOGIT_CLIP, Math.max(LOGIT_CLIP, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The calibrated probability of one raw score. */
export function calibrate(map: CalibrationMap, raw: number): number {
  switch (map.method) {
    case 'identity':
      return raw;
    case 'platt':
      return sigmoid(map.a * logit(raw) + map.b);
    case 'isotonic':
      return interpolate(map.x, map.y, raw);
  }
}

/** The calibrated probabilities of many raw scores, in a new array. */
export function calibrateAll(map: CalibrationMap, raw: ArrayLike<number>): Float64Array {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = calibrate(map, raw[i]);
  return out;
}

function interpolate(x: number[], y: number[], value: number): number {
  if (value !== value) return value;
  if (value <= x[0]) return y[0];
  const last = x.length - 1;
  if (value >= x[last]) return y[last];
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= value) lo = mid;
    else hi = mid;
  }
  const t = (value - x[lo]) / (x[hi] - x[lo]);
  return y[lo] + t * (y[hi] - y[lo]);
}

/**
 * Isotonic regression of labels on scores by pool-adjacent-violators: blocks of rows in score
 * order, merged while a block's churn rate is above the next one's. Each block becomes a knot at
 * its mean score and its churn rate.
 */
export function fitIsotonic(labels: ArrayLike<number>, scores: ArrayLike<number>): CalibrationMap {
  const order = sortedOrder(scores);
  // One block per distinct score to start with: ties must map to one value.
  const sumX: number[] = [];
  const sumY: number[] = [];
  const count: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const last = count.length - 1;
    if (last >= 0 && scores[order[k - 1]] === scores[i]) {
      sumX[last] += scores[i];
      sumY[last] += labels[i];
      count[last]++;
    } else {
      sumX.push(scores[i]);
      sumY.push(labels[i]);
      count.push(1);
    }
    // Merge backwards while the newest block's rate falls below the one before it.
    let top = count.length - 1;
    while (top > 0 && sumY[top - 1] * count[top] >= sumY[top] * count[top - 1]) {
      sumX[top - 1] += sumX[top];
      sumY[top - 1] += sumY[top];
      count[top - 1] += count[top];
      sumX.pop();
      sumY.pop();
      count.pop();
      top--;
    }
  }
  const x = count.map((n, b) => sumX[b] / n);
  const y = count.map((n, b) => sumY[b] / n);
  return { method: 'isotonic', x, y };
}

/**
 * Platt scaling on the logit of the score: the logistic regression of the labels, with Platt's
 * targets ((positives + 1) / (positives + 2) and 1 / (negatives + 2)) so that a small sample
 * cannot push the curve to 0 or 1, fitted by Newton's method. The slope is kept non-negative.
 */
export function fitPlatt(labels: ArrayLike<number>, scores: ArrayLike<number>): CalibrationMap {
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (n - positives + 2);
  const z = Float64Array.from({ length: n }, (_, i) => logit(scores[i]));
  const t = Float64Array.from({ length: n }, (_, i) => (labels[i] === 1 ? hi : lo));
  let a = 1;
  let b = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    // Gradient and Hessian of the cross-entropy in (a, b), with a small ridge for stability.
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * z[i] + b);
      const d = p - t[i];
      const w = p * (1 - p);
      ga += d * z[i];
      gb += d;
      haa += w * z[i] * z[i];
      hab += w * z[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  if (!(a >= 0)) {
    // Scores that rank churners lower (a forest no better than chance out of bag, on tiny data):
    // the best map that keeps the ranking is then flat, at the targets' mean.
    let mean = 0;
    for (let i = 0; i < n; i++) mean += t[i] / n;
    return { method: 'platt', a: 0, b: Math.log(mean / (1 - mean)) };
  }
  return { method: 'platt', a, b };
}

function sortedOrder(scores: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((i, j) => scores[i] - scores[j] || i - j);
}

const unitInterval = z.number().min(0, 'is not a probability').max(1, 'is not a probability');

/** A stored map's shape, checked wherever a model is read: a damaged one is refused, never half-used. */
export const calibrationMapSchema: z.ZodType<CalibrationMap> = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('identity') }),
  z.strictObject({
    method: z.literal('platt'),
    a: z.number().nonnegative('is negative: the map would reverse the ranking'),
    b: z.number().refine(Number.isFinite, 'is not a finite number'),
  }),
  z
    .strictObject({
      method: z.literal('isotonic'),
      x: z.array(z.number().refine(Number.isFinite, 'is not a finite number')).min(1),
      y: z.array(unitInterval).min(1),
    })
    .refine((map) => map.x.length === map.y.length, 'x and y differ in length')
    .refine((map) => map.x.every((x, k) => k === 0 || x > map.x[k - 1]), 'x is not increasing')
    .refine((map) => map.y.every((y, k) => k === 0 || y >= map.y[k - 1]), 'y is decreasing'),
]);

/** A stored map, checked; throws naming the first problem. */
export function parseCalibration(data: unknown): CalibrationMap {
  const parsed = calibrationMapSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length > 0 ? `${issue.path.join('.')} ` : '';
  throw new TypeError(`not a valid calibration map: ${where}${issue.message}`);
}

/**
 * Fits the map of `method` on out-of-bag scores. Platt needs both classes; with one, or with no
 * rows, the map is the identity.
 */
export function fitCalibration(
  method: CalibrationMethod,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): CalibrationMap {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  if (method === 'identity' || positives === 0 || positives === labels.length) return IDENTITY;
  return method === 'platt' ? fitPlatt(labels, scores) : fitIsotonic(labels, scores);
}

/** Contributions that add up, with a base value, to each row's probability. */
export interface Contributions {
  scores: Float64Array;
  /** Row by row: contributions[row × features + f]. */
  contributions: Float64Array;
  baseValue: number;
}

/**
 * Explanations of raw probabilities carried onto calibrated ones: the base value b through the
 * map c, and the contributions of a row scored p multiplied by (c(p) − c(b)) / (p − b), so that
 * they add up to the calibrated probability with the same signs and order of strength (where
 * p = b, by the slope of c at b). A contribution then reads as its share of the calibrated move
 * from the base value; no exact algorithm gives Shapley values of a non-linear c itself.
 */
export function calibrateExplanation<T extends Contributions>(
  map: CalibrationMap,
  explained: T,
  features: number,
): T {
  if (map.method === 'identity') return explained;
  const base = explained.baseValue;
  const calibratedBase = calibrate(map, base);
  const scores = calibrateAll(map, explained.scores);
  const step = 1e-6;
  const slopeAtBase = (calibrate(map, base + step) - calibrate(map, base - step)) / (2 * step);
  const contributions = new Float64Array(explained.contributions.length);
  for (let row = 0; row < scores.length; row++) {
    const raw = explained.scores[row];
    const factor =
      Math.abs(raw - base) > step ? (scores[row] - calibratedBase) / (raw - base) : slopeAtBase;
    for (let f = 0; f < features; f++) {
      contributions[row * features + f] = explained.contributions[row * features + f] * factor;
    }
  }
  return { ...explained, scores, contributions, baseValue: calibratedBase };
}
