export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Churn probabilities from which a customer is medium and high risk. */
export interface RiskCutoffs {
  medium: number;
  high: number;
}

/** The `risk` settings: `medium: null` means the model's decision threshold. */
export interface RiskSettings {
  medium: number | null;
  high: number;
}

/**
 * The cutoffs a model scores with. By default medium risk starts at the model's threshold, so no
 * customer predicted to churn is low risk; high risk never starts below medium.
 */
export function riskCutoffs(settings: RiskSettings, threshold: number): RiskCutoffs {
  const medium = settings.medium ?? threshold;
  return { medium, high: Math.max(settings.high, medium) };
}

export function riskLevel(score: number, cutoffs: RiskCutoffs): RiskLevel {
  if (score >= cutoffs.high) return 'high';
  if (score >= cutoffs.medium) return 'medium';
  return 'low';
}
