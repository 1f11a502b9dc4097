/**
 * What `churn predict` learns of the batches it scores, as they pass: how many rows fall in each
 * risk level, the mean probability, how many are predicted to churn, and the drift of the
 * features and the scores against the model's references.
 */
import type { DataSchema } from '../../data/schema.js';
import {
  BatchDrift,
  type ColumnProfile,
  type DriftReport,
  type DriftThresholds,
} from '../../evaluation/index.js';
import type { ScoredBatch } from './batches.js';
import { riskLevel, type RiskCutoffs, type RiskLevel } from './risk.js';

export interface ScoringSummary {
  rows: number;
  riskLevels: Record<RiskLevel, number>;
  /** Mean probability, to six decimals (0 for no rows). */
  averageScore: number;
  /** Rows predicted to churn at the model's threshold. */
  predictedChurn: number;
  /** Of each feature against the training rows, and of the scores against the holdout's. */
  drift: DriftReport;
}

export class ScoringTally {
  private readonly drift: BatchDrift;
  private readonly riskLevels: Record<RiskLevel, number> = { low: 0, medium: 0, high: 0 };
  private rows = 0;
  private scoreSum = 0;
  private predictedChurn = 0;

  constructor(
    schema: DataSchema,
    scoreReference: ColumnProfile | null | undefined,
    private readonly threshold: number,
    private readonly cutoffs: RiskCutoffs,
    private readonly driftThresholds: DriftThresholds,
  ) {
    this.drift = new BatchDrift(schema.features, scoreReference);
  }

  add({ columns, scores }: ScoredBatch): void {
    this.drift.addColumns(columns);
    this.drift.addScores(scores);
    for (let row = 0; row < scores.length; row++) {
      const score = scores[row];
      this.riskLevels[riskLevel(score, this.cutoffs)]++;
      this.scoreSum += score;
      if (score >= this.threshold) this.predictedChurn++;
    }
    this.rows += scores.length;
  }

  summary(): ScoringSummary {
    const { rows, scoreSum } = this;
    return {
      rows,
      riskLevels: { ...this.riskLevels },
      averageScore: rows > 0 ? Number((scoreSum / rows).toFixed(6)) : 0,
      predictedChurn: this.predictedChurn,
      drift: this.drift.report(this.driftThresholds),
    };
  }
}
