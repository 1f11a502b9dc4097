/**
 * Reference values computed independently with scikit-learn 1.2 (Debian python3-sklearn) on the
 * same 20 rows: roc_auc_score, roc_curve(drop_intermediate=False), precision_recall_curve,
 * average_precision_score, confusion_matrix / fbeta_score / f1_score / precision_score /
 * recall_score / accuracy_score on (scores >= 0.5), brier_score_loss and log_loss; the best F2
 * threshold by evaluating fbeta_score(beta=2) at every distinct score.
 */
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagePrecision,
  brierScore,
  confusionMatrix,
  fBeta,
  logLoss,
  precision,
  precisionRecallCurve,
  rate,
  recall,
  rocAuc,
  rocCurve,
  tuneThreshold,
} from '../../src/evaluation/index.js';

const labels = [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0];
const scores = [
  0.9, 0.8, 0.8, 0.7, 0.6, 0.55, 0.55, 0.5, 0.4, 0.4, 0.35, 0.3, 0.3, 0.2, 0.2, 0.1, 0.1, 0.05,
  0.65, 0.0,
];

describe('ranking metrics', () => {
  it('computes ROC AUC with ties counted half', () => {
    expect(rocAuc(labels, scores)).toBeCloseTo(0.7552083333333334, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 for all ties', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it('gives the ROC curve point by point', () => {
    const expected = [
      [Infinity, 0, 0],
      [0.9, 0, 0.125],
      [0.8, 1 / 12, 0.25],
      [0.7, 1 / 12, 0.375],
      [0.65, 1 / 12, 0.5],
      [0.6, 2 / 12, 0.5],
      [0.55, 3 / 12, 0.625],
      [0.5, 4 / 12, 0.625],
      [0.4, 5 / 12, 0.75],
      [0.35, 6 / 12, 0.75],
      [0.3, 7 / 12, 0.875],
      [0.2, 8 / 12, 1],
      [0.1, 10 / 12, 1],
      [0.05, 11 / 12, 1],
      [0, 1, 1],
    ];
    const curve = rocCurve(labels, scores).map((p) => [
      p.threshold,
      p.falsePositiveRate,
      p.truePositiveRate,
    ]);
    expect(curve).toHaveLength(expected.length);
    curve.forEach((point, i) => point.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 12)));
  });

  it('gives the precision-recall curve and average precision', () => {
    const curve = precisionRecallCurve(labels, scores);
    expect(curve[0]).toEqual({ threshold: Infinity, precision: 1, recall: 0 });
    expect(curve[1]).toEqual({ threshold: 0.9, precision: 1, recall: 0.125 });
    expect(curve.find((p) => p.threshold === 0.65)).toEqual({
      threshold: 0.65,
      precision: 0.8,
      recall: 0.5,
    });
    expect(curve.at(-1)).toEqual({ threshold: 0, precision: 0.4, recall: 1 });
    expect(curve).toHaveLength(15);
    expect(averagePrecision(labels, scores)).toBeCloseTo(0.6733901515151516, 12);
  });
});

describe('decision metrics at a threshold', () => {
  const matrix = confusionMatrix(labels, scores, 0.5);

  it('counts the confusion matrix with score >= threshold as positive', () => {
    expect(matrix).toEqual({
      trueNegatives: 8,
      falsePositives: 4,
      falseNegatives: 3,
      truePositives: 5,
    });
  });

  it('derives precision, recall, accuracy, F1 and F2', () => {
    expect(precision(matrix)).toBeCloseTo(0.5555555555555556, 12);
    expect(recall(matrix)).toBeCloseTo(0.625, 12);
    expect(accuracy(matrix)).toBeCloseTo(0.65, 12);
    expect(fBeta(matrix, 1)).toBeCloseTo(0.5882352941176471, 12);
    expect(fBeta(matrix, 2)).toBeCloseTo(0.6097560975609756, 12);
  });

  it('returns 0, not NaN, when nothing is predicted positive', () => {
    const none = confusionMatrix(labels, scores, 2);
    expect([precision(none), recall(none), fBeta(none, 2)]).toEqual([0, 0, 0]);
  });
});

describe('probability metrics', () => {
  it('computes the Brier score and log loss', () => {
    expect(brierScore(labels, scores)).toBeCloseTo(0.197125, 12);
    expect(logLoss(labels, scores)).toBeCloseTo(0.5622162629146799, 12);
  });
});

describe('threshold tuning', () => {
  it('finds the threshold with the best F2 among the distinct scores', () => {
    const tuned = tuneThreshold(labels, scores, 2);
    expect(tuned.threshold).toBe(0.2);
    expect(tuned.fBeta).toBeCloseTo(0.8333333333333334, 12);
    expect(fBeta(confusionMatrix(labels, scores, tuned.threshold), 2)).toBeCloseTo(tuned.fBeta, 12);
  });

  it('prefers precision with a small beta', () => {
    expect(tuneThreshold(labels, scores, 0.5).threshold).toBeGreaterThan(0.2);
  });
});

describe('input checks', () => {
  it('refuses mismatched lengths, non-binary labels and non-finite scores', () => {
    expect(() => rocAuc([1, 0], [0.5])).toThrow('2 labels but 1 scores');
    expect(() => rocAuc([1, 2], [0.5, 0.4])).toThrow('label 2 at row 1 is not 0 or 1');
    expect(() => rocAuc([1, 0], [NaN, 0.4])).toThrow('score NaN at row 0');
    expect(() => rocAuc([1, 1], [0.1, 0.4])).toThrow('both classes');
  });
});

describe('the course ratings', () => {
  it.each([
    [0.95, 'excellent'],
    [0.85, 'good'],
    [0.75, 'acceptable'],
    [0.65, 'weak'],
    [0.6, 'poor'],
  ])('rates %f as %s', (value, rating) => {
    expect(rate(value)).toBe(rating);
  });
});
