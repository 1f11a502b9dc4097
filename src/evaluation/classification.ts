/**
 * Metrics of hard decisions at one threshold: a row is predicted positive (churn) when its score
 * is at least the threshold. A ratio whose denominator is zero is 0, as scikit-learn's default.
 */
import { checkInputs } from './inputs.js';

export interface ConfusionMatrix {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

export function confusionMatrix(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): ConfusionMatrix {
  checkInputs(labels, scores);
  const matrix = { truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (predicted) matrix.truePositives++;
      else matrix.falseNegatives++;
    } else if (predicted) matrix.falsePositives++;
    else matrix.trueNegatives++;
  }
  return matrix;
}

const ratio = (numerator: number, denominator: number) =>
  denominator > 0 ? numerator / denominator : 0;

export function precision(m: ConfusionMatrix): number {
  return ratio(m.truePositives, m.truePositives + m.falsePositives);
}

export function recall(m: ConfusionMatrix): number {
  return ratio(m.truePositives, m.truePositives + m.falseNegatives);
}

export function accuracy(m: ConfusionMatrix): number {
  const total = m.truePositives + m.falsePositives + m.trueNegatives + m.falseNegatives;
  return ratio(m.truePositives + m.trueNegatives, total);
}

/** (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP): β = 2 weighs recall four times precision. */
export function fBeta(m: ConfusionMatrix, beta: number): number {
  const b2 = beta * beta;
  return fBetaFromCounts(m.truePositives, m.falsePositives, m.falseNegatives, b2);
}

export function fBetaFromCounts(tp: number, fp: number, fn: number, betaSquared: number): number {
  return ratio((1 + betaSquared) * tp, (1 + betaSquared) * tp + betaSquared * fn + fp);
}
