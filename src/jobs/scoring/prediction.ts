/**
 * What a customer's churn probability is shown as, wherever it is shown (`churn predict`'s CSV,
 * `churn serve`'s JSON): the probability to six decimals, the prediction at the model's threshold,
 * and the risk level. One definition, so both give the same numbers for the same row.
 */
import { riskLevel, type RiskCutoffs, type RiskLevel } from './risk.js';

export interface Prediction {
  probability: number;
  predicted: 0 | 1;
  riskLevel: RiskLevel;
}

/** Six decimals: finer than any decision needs, and 0 and 1 stay short. */
export function shownProbability(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}

/** 1 when the (unrounded) probability reaches the model's threshold. */
export function predictedChurn(score: number, threshold: number): 0 | 1 {
  return score >= threshold ? 1 : 0;
}

export function predictionOf(score: number, threshold: number, cutoffs: RiskCutoffs): Prediction {
  return {
    probability: shownProbability(score),
    predicted: predictedChurn(score, threshold),
    riskLevel: riskLevel(score, cutoffs),
  };
}
