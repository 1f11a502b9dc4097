import { describe, expect, it } from 'vitest';
import type { DataSchema } from '../../src/data/schema.js';
import type { Explanation, FeatureColumn } from '../../src/forest/index.js';
import type { ScoredBatch } from '../../src/jobs/scoring/batches.js';
import {
  explanationColumns,
  isExplanationColumn,
  strongestReasons,
} from '../../src/jobs/scoring/explanations.js';

const profile = { kind: 'numeric' } as never;
const schema: DataSchema = {
  features: [
    { name: 'idade', kind: 'numeric', reference: profile },
    {
      name: 'pais',
      kind: 'categorical',
      categories: ['França', 'Alemanha, RFA'],
      reference: profile,
    },
    { name: 'saldo', kind: 'numeric', reference: profile },
  ],
  target: 'saiu',
  id: 'id',
  labels: { positive: '1' } as never,
  ignored: [],
};
const columns: FeatureColumn[] = [
  { name: 'idade', kind: 'numeric', values: Float64Array.of(62, 30) },
  { name: 'pais', kind: 'categorical', codes: Int32Array.of(1, -1), categories: 2 },
  { name: 'saldo', kind: 'numeric', values: Float64Array.of(NaN, 1000.5) },
];
// Row 0: 0.2 + 0.15 − 0.05 + 0.1 = 0.4; row 1: 0.2 − 0.1 + 0 + 0.02 = 0.12.
const explanation: Explanation = {
  scores: Float64Array.of(0.4, 0.12),
  contributions: Float64Array.of(0.15, -0.05, 0.1, -0.1, 0, 0.02),
  baseValue: 0.2,
};
const batch: ScoredBatch = { columns, scores: explanation.scores, explanation, copied: ['', ''] };

describe('the explanation columns', () => {
  it('name the strongest reasons first by size, with the value read, leaving out features that did not move the score', () => {
    const reasons = explanationColumns(schema, { output: 'reasons', count: 3, method: 'exact' });
    expect(reasons.names).toEqual([
      'reason_1',
      'reason_1_contribution',
      'reason_2',
      'reason_2_contribution',
      'reason_3',
      'reason_3_contribution',
    ]);
    expect(reasons.cells(batch)).toEqual([
      'idade=62,0.15,saldo=(missing),0.1,"pais=Alemanha, RFA",-0.05',
      'idade=30,-0.1,saldo=1000.5,0.02,,', // pais moved nothing: no third reason
    ]);
    expect(strongestReasons(schema, columns, explanation, 1, 2)).toEqual([
      { feature: 'idade', value: '30', contribution: -0.1 },
      { feature: 'saldo', value: '1000.5', contribution: 0.02 },
    ]);
  });

  it('write every contribution and the base value, which add up to the probability', () => {
    const all = explanationColumns(schema, { output: 'contributions', method: 'fast' });
    expect(all.names).toEqual([
      'base_value',
      'contribution_idade',
      'contribution_pais',
      'contribution_saldo',
    ]);
    expect(all.cells(batch)).toEqual(['0.2,0.15,-0.05,0.1', '0.2,-0.1,0,0.02']);
  });

  it("are known again in an input, so that --keep-columns replaces an earlier run's", () => {
    for (const name of ['reason_1', 'reason_12_contribution', 'contribution_idade', 'base_value']) {
      expect(isExplanationColumn(name)).toBe(true);
    }
    for (const name of ['reason', 'idade', 'reason_1_extra', 'basevalue']) {
      expect(isExplanationColumn(name)).toBe(false);
    }
  });
});
