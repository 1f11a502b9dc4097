export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Churn probabilities from which a customer is medium and high risk. */
export interface RiskCutoffs {
  medium: number;
  high: number;
}

export function riskLevel(score: number, cutoffs: RiskCutoffs): RiskLevel {
  if (score >= cutoffs.high) return 'high';
  if (score >= cutoffs.medium) return 'medium';
  return 'low';
}
