/**
 * The scoring loop of `churn predict`: rows read, encoded into the model's columns and scored a
 * batch at a time, in input order, with reading and scoring overlapped.
 */
import { collectGarbage } from '../../common/memory.js';
import type { BatchEncoder } from '../../data/batch-encoder.js';
import type { CsvSource } from '../../data/csv-reader.js';
import type { Delimiter } from '../../data/delimiter.js';
import { csvField } from '../../data/csv-writer.js';
import {
  calibrateAll,
  calibrateExplanation,
  type CalibrationMap,
} from '../../evaluation/calibration.js';
import type {
  BatchExplainer,
  BatchScorer,
  Explanation,
  FeatureColumn,
} from '../../forest/index.js';

/** Where scored rows come from: text records in the header's order (a CSV file today). */
export type RowSource = Pick<
  CsvSource,
  'name' | 'delimiter' | 'header' | 'bytes' | 'bytesRead' | 'batches' | 'close'
>;

/** Records already in memory, as the scoring loop reads a file's. */
export function memorySource(
  name: string,
  delimiter: Delimiter,
  header: string[],
  records: string[][],
): RowSource {
  return {
    name,
    delimiter,
    header,
    bytes: 0,
    bytesRead: 0,
    async *batches(size) {
      for (let start = 0; start < records.length; start += size) {
        yield records.slice(start, start + size);
      }
    },
    close: () => undefined,
  };
}

export interface ScoredBatch {
  /** The batch's rows as the model's feature columns. */
  columns: FeatureColumn[];
  /** Each row's calibrated churn probability. */
  scores: Float64Array;
  /** Each row's contributions, when the scorer explains. */
  explanation: Explanation | null;
  /**
   * Each row's input cells copied to the output, CSV-quoted and comma-separated (empty when none
   * are): taken as the row is read, since its text is let go once it is encoded.
   */
  copied: string[];
}

/** A group of output columns (output-columns.ts has predict's): names and each row's cells. */
export interface OutputColumns {
  readonly names: readonly string[];
  /** Each row's cells in these columns, CSV-quoted and comma-separated. */
  cells(batch: ScoredBatch): readonly string[];
}

export interface ScoringLoop {
  source: RowSource;
  encoder: BatchEncoder;
  scorer: BatchScorer | BatchExplainer;
  /** The model's map from the forest's raw probabilities to the ones shown (calibrationOf). */
  calibration: CalibrationMap;
  /** Indexes of the input columns copied to the output. */
  copy: readonly number[];
}

/** Records taken from the parser at a time; each is encoded at once and its text let go. */
const READ_ROWS = 1024;
/** Rows between full garbage collections, which keep peak memory flat as files grow. */
const COLLECT_EVERY_ROWS = 65_536;

interface InFlight {
  columns: FeatureColumn[];
  scores: Promise<Float64Array | Explanation>;
  copied: string[];
}

/**
 * The input's batches, scored, in order. The workers score batch k while this thread reads and
 * encodes batch k + 1; then this thread queues k + 1 and scores its blocks too until k is done, so
 * no core waits on k's last blocks, and yields k.
 */
export async function* scoredBatches({
  source,
  encoder,
  scorer,
  calibration,
  copy,
}: ScoringLoop): AsyncGenerator<ScoredBatch> {
  let copied: string[] = [];
  let inFlight: InFlight | null = null;
  let rows = 0;
  let collectedAt = 0;
  /** Queues the encoded rows; returns the batch queued before them, if any. */
  const submit = (): InFlight | null => {
    const columns = encoder.take();
    const scores = scorer.submit(columns);
    scores.catch(() => undefined); // awaited by scored()
    const before = inFlight;
    inFlight = { columns, scores, copied };
    copied = [];
    return before;
  };
  const scored = async ({ columns, scores, copied }: InFlight): Promise<ScoredBatch> => {
    await scorer.helpUntil(scores);
    const result = await scores;
    if (result instanceof Float64Array) {
      return { columns, scores: calibrateAll(calibration, result), explanation: null, copied };
    }
    const explanation = calibrateExplanation(calibration, result, columns.length);
    return { columns, scores: explanation.scores, explanation, copied };
  };

  for await (const records of source.batches(READ_ROWS)) {
    for (const fields of records) {
      encoder.add(fields);
      let cells = '';
      for (let i = 0; i < copy.length; i++) cells += (i > 0 ? ',' : '') + csvField(fields[copy[i]]);
      copied.push(cells);
      rows++;
      if (!encoder.full) continue;
      const before = submit();
      if (before === null) continue;
      yield await scored(before);
      if (rows - collectedAt >= COLLECT_EVERY_ROWS) {
        collectGarbage();
        collectedAt = rows;
      }
    }
  }
  const before = encoder.size > 0 ? submit() : null;
  if (before) yield await scored(before);
  const last = inFlight as InFlight | null;
  inFlight = null;
  if (last) yield await scored(last);
}
