import { describe, expect, it } from 'vitest';
import { Random } from '../../src/common/random.js';
import {
  calibrate,
  calibrateAll,
  calibrateExplanation,
  fitIsotonic,
  fitPlatt,
  IDENTITY,
  parseCalibration,
  type CalibrationMap,
} from '../../src/evaluation/calibration.js';

describe('isotonic calibration', () => {
  it('pools adjacent violators into knots at their mean score and churn rate', () => {
    // 0.3 (stayed) after 0.2 (churned) violates the order: the two pool at score 0.25, rate 0.5.
    const map = fitIsotonic([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4]);
    expect(map).toEqual({ method: 'isotonic', x: [0.1, 0.25, 0.4], y: [0, 0.5, 1] });
    // Straight lines between knots, flat beyond them.
    expect(calibrate(map, 0.175)).toBeCloseTo(0.25, 12);
    expect(calibrate(map, 0.325)).toBeCloseTo(0.75, 12);
    expect(calibrate(map, 0)).toBe(0);
    expect(calibrate(map, 1)).toBe(1);
  });

  it('gives tied scores one value, whatever their order in the input', () => {
    const map = fitIsotonic([1, 0, 0, 1, 1], [0.5, 0.5, 0.2, 0.9, 0.5]);
    expect(map).toEqual({ method: 'isotonic', x: [0.2, 0.5, 0.9], y: [0, 2 / 3, 1] });
  });

  it('pools a fully reversed ranking into one knot at the overall rate', () => {
    expect(fitIsotonic([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toEqual({
      method: 'isotonic',
      x: [0.25],
      y: [0.5],
    });
  });
});

describe('Platt calibration', () => {
  it('solves the logistic fit on the logit of the score, with Platt’s targets', () => {
    const random = new Random(4);
    const scores: number[] = [];
    const labels: number[] = [];
    // Raw scores twice too confident, as a forest with balanced weights gives for a rare class.
    for (let i = 0; i < 4000; i++) {
      const truth = random.next() * 0.6 + 0.02;
      scores.push(1 / (1 + Math.exp(-2 * Math.log(truth / (1 - truth)) - 1)));
      labels.push(random.bernoulli(truth) ? 1 : 0);
    }
    const map = fitPlatt(labels, scores);
    if (map.method !== 'platt') throw new Error('not a Platt map');
    // The optimum: the gradient of the cross-entropy is zero in both parameters.
    const positives = labels.reduce((a, b) => a + b, 0);
    const hi = (positives + 1) / (positives + 2);
    const lo = 1 / (labels.length - positives + 2);
    let gradA = 0;
    let gradB = 0;
    scores.forEach((s, i) => {
      const z = Math.log(s / (1 - s));
      const residual = calibrate(map, s) - (labels[i] === 1 ? hi : lo);
      gradA += residual * z;
      gradB += residual;
    });
    expect(Math.abs(gradA)).toBeLessThan(1e-6);
    expect(Math.abs(gradB)).toBeLessThan(1e-6);
    // And it undoes the distortion: slope about 1/2, intercept about −1/2.
    expect(map.a).toBeCloseTo(0.5, 1);
    expect(map.b).toBeCloseTo(-0.5, 1);
  });
});

describe('Platt calibration of scores that rank backwards', () => {
  it('is flat at the smoothed churn rate rather than reversing the ranking', () => {
    // Churners got the lowest scores: the unconstrained fit has a negative slope.
    const map = fitPlatt([1, 1, 0, 0, 0, 0], [0.1, 0.2, 0.3, 0.5, 0.7, 0.9]);
    expect(map).toMatchObject({ method: 'platt', a: 0 });
    // Mean of Platt's targets: (2 · 3/4 + 4 · 1/6) / 6.
    const mean = (2 * (3 / 4) + 4 * (1 / 6)) / 6;
    expect(calibrate(map, 0.1)).toBeCloseTo(mean, 12);
    expect(calibrate(map, 0.9)).toBeCloseTo(mean, 12);
    expect(parseCalibration(map)).toEqual(map);
  });
});

describe('every calibration map', () => {
  const maps: CalibrationMap[] = [
    IDENTITY,
    { method: 'platt', a: 0.7, b: -0.4 },
    fitIsotonic([0, 0, 1, 0, 1, 1], [0.05, 0.2, 0.3, 0.35, 0.6, 0.9]),
  ];

  it.each(maps.map((map) => [map.method, map] as const))(
    '%s keeps the ranking and stays a probability',
    (_, map) => {
      const raw = Array.from({ length: 101 }, (_, i) => i / 100);
      const calibrated = calibrateAll(map, raw);
      for (let i = 0; i < raw.length; i++) {
        expect(calibrated[i]).toBeGreaterThanOrEqual(0);
        expect(calibrated[i]).toBeLessThanOrEqual(1);
        if (i > 0) expect(calibrated[i]).toBeGreaterThanOrEqual(calibrated[i - 1]);
      }
    },
  );

  it('survives a JSON round trip, and damaged maps are refused with the reason', () => {
    for (const map of maps) expect(parseCalibration(JSON.parse(JSON.stringify(map)))).toEqual(map);
    expect(() => parseCalibration({ method: 'isotonic', x: [0.1, 0.1], y: [0, 1] })).toThrow(
      'x is not increasing',
    );
    expect(() => parseCalibration({ method: 'isotonic', x: [0.1, 0.2], y: [0.5, 0.4] })).toThrow(
      'y is decreasing',
    );
    expect(() => parseCalibration({ method: 'isotonic', x: [0.1], y: [1.5] })).toThrow(
      'y.0 is not a probability',
    );
    expect(() => parseCalibration({ method: 'platt', a: -1, b: 0 })).toThrow('reverse the ranking');
    expect(() => parseCalibration({ method: 'beta' })).toThrow('not a valid calibration map');
  });
});

describe('explanations carried onto calibrated probabilities', () => {
  const platt: CalibrationMap = { method: 'platt', a: 3, b: -1 };
  const explained = {
    scores: Float64Array.of(0.45, 0.12),
    contributions: Float64Array.of(0.15, -0.05, 0.15, -0.1, 0, 0.02),
    baseValue: 0.2,
  };

  it('add up to the calibrated probability, keeping every sign and the order of strength', () => {
    const shown = calibrateExplanation(platt, explained, 3);
    expect(shown.baseValue).toBe(calibrate(platt, 0.2));
    for (const row of [0, 1]) {
      const own = shown.contributions.subarray(row * 3, row * 3 + 3);
      const sum = shown.baseValue + own.reduce((a, b) => a + b, 0);
      expect(shown.scores[row]).toBe(calibrate(platt, explained.scores[row]));
      expect(sum).toBeCloseTo(shown.scores[row], 12);
      own.forEach((value, f) => {
        expect(Math.sign(value)).toBe(Math.sign(explained.contributions[row * 3 + f]));
      });
    }
    expect(Math.abs(shown.contributions[3])).toBeGreaterThan(Math.abs(shown.contributions[5]));
  });

  it('of a row scored at the base value cancel out, scaled by the slope of the map there', () => {
    const still = {
      scores: Float64Array.of(0.2),
      contributions: Float64Array.of(0.05, -0.05, 0),
      baseValue: 0.2,
    };
    const shown = calibrateExplanation(platt, still, 3);
    const c = calibrate(platt, 0.2);
    // Platt's map is sigmoid(a·logit(p) + b): its slope at p is a·c(1 − c) / (p(1 − p)).
    expect(shown.contributions[0]).toBeCloseTo((0.05 * 3 * c * (1 - c)) / (0.2 * 0.8), 6);
    expect(shown.contributions[0] + shown.contributions[1]).toBeCloseTo(0, 12);
  });

  it('are left as they are by the identity map', () => {
    expect(calibrateExplanation(IDENTITY, explained, 3)).toBe(explained);
  });
});
