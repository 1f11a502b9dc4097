/**
 * Turns batches of text records from a scoring file into the typed columns a trained model takes,
 * by the model's data schema: columns found by name (extra ones ignored), numbers read as in
 * training, categories mapped to the model's codes. Categories the model never saw become
 * missing values, counted so the job can warn about them.
 */
import { InputError } from '../common/errors.js';
import type { FeatureColumn } from '../forest/index.js';
import type { CsvSource } from './csv-reader.js';
import { listColumns, type DataSchema } from './schema.js';
import { categoryOf, isMissing, parseNumber } from './values.js';

export interface UnseenCategories {
  feature: string;
  rows: number;
  /** A few of the values, for the warning. */
  examples: string[];
  /** Whether there are other values than the examples. */
  more: boolean;
}

const EXAMPLES = 3;

export class BatchEncoder {
  private readonly indexes: number[];
  private readonly lookups: Array<Map<string, number> | null>;
  private readonly unseen: UnseenCategories[];
  private readonly decimalComma: boolean;

  constructor(
    private readonly schema: DataSchema,
    private readonly source: CsvSource,
  ) {
    const missing = schema.features.filter((feature) => !source.header.includes(feature.name));
    if (missing.length > 0) {
      throw new InputError(
        { file: source.name, line: 1 },
        `lacks the model's feature column${missing.length > 1 ? 's' : ''} ` +
          `${missing.map((feature) => `"${feature.name}"`).join(', ')}; ` +
          `columns: ${listColumns(source.header)}`,
      );
    }
    this.indexes = schema.features.map((feature) => source.header.indexOf(feature.name));
    this.lookups = schema.features.map((feature) =>
      feature.kind === 'categorical'
        ? new Map(feature.categories.map((category, code) => [category, code]))
        : null,
    );
    this.unseen = schema.features.map((feature) => ({
      feature: feature.name,
      rows: 0,
      examples: [],
      more: false,
    }));
    this.decimalComma = source.delimiter !== ',';
  }

  /** The batch's feature columns; `firstRecord` numbers its first row in the file (0-based). */
  async encode(batch: string[][], firstRecord: number): Promise<FeatureColumn[]> {
    const rows = batch.length;
    const columns: FeatureColumn[] = [];
    for (let f = 0; f < this.indexes.length; f++) {
      const index = this.indexes[f];
      const feature = this.schema.features[f];
      const lookup = this.lookups[f];
      if (lookup === null) {
        const values = new Float64Array(rows);
        for (let row = 0; row < rows; row++) {
          const text = batch[row][index];
          if (isMissing(text)) values[row] = NaN;
          else {
            values[row] = parseNumber(text, this.decimalComma);
            if (Number.isNaN(values[row]))
              await this.notANumber(text, feature.name, firstRecord + row);
          }
        }
        columns.push({ name: feature.name, kind: 'numeric', values });
      } else {
        const codes = new Int32Array(rows);
        const unseen = this.unseen[f];
        for (let row = 0; row < rows; row++) {
          const text = batch[row][index];
          if (isMissing(text)) {
            codes[row] = -1;
            continue;
          }
          const category = categoryOf(text);
          const code = lookup.get(category);
          if (code === undefined) {
            codes[row] = -1;
            unseen.rows++;
            if (!unseen.examples.includes(category)) {
              if (unseen.examples.length < EXAMPLES) unseen.examples.push(category);
              else unseen.more = true;
            }
          } else codes[row] = code;
        }
        columns.push({ name: feature.name, kind: 'categorical', codes, categories: lookup.size });
      }
    }
    return columns;
  }

  /** Features that met categories the model was not trained on, and how often. */
  unseenCategories(): UnseenCategories[] {
    return this.unseen.filter((entry) => entry.rows > 0);
  }

  private async notANumber(text: string, column: string, record: number): Promise<never> {
    throw new InputError(
      { file: this.source.name, line: await this.source.lineOf(record), column },
      `"${text}" is not a number, and the model reads this column as numbers`,
    );
  }
}
