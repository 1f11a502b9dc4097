/** What bench/run.ts asks of a contestant's process, and what it answers on stdout. */
export interface FitRequest {
  trainCsv: string;
  /** Our forest rebuilds generated training rows in memory instead of parsing the CSV. */
  synthetic?: { rows: number; seed: number };
  testCsvs: Record<string, string>;
  runs: number;
  trees: number;
  minSamplesLeaf: number;
}

export interface FitResult {
  /** Seconds of each fit, in order. */
  fits: number[];
  /** Mean ROC AUC of the fits (each with its own seed) on each test file. */
  auc: Record<string, number>;
  peakMb: number;
  /** Trees actually grown, when a contestant could not grow them all. */
  trees: number;
  note?: string;
}
