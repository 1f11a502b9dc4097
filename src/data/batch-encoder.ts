/**
 * Turns the records of a scoring file, one at a time, into the typed columns a trained model
 * takes, by the model's data schema: columns found by name (extra ones ignored), numbers read as
 * in training, categories mapped to the model's codes. Categories the model never saw, and text
 * in a numeric column, become missing values, counted so the job can warn about them (training
 * reads a stray text value in a numeric column as missing too). Records are encoded as they arrive, so
 * their text never outlives the moment it is parsed.
 */
import { InputError } from '../common/errors.js';
import type { FeatureColumn } from '../forest/index.js';
import type { CsvSource } from './csv-reader.js';

/** What the encoder reads of its input: the header, and the delimiter (a decimal comma or point). */
type EncodedSource = Pick<CsvSource, 'name' | 'header' | 'delimiter'>;
import { listColumns, type DataSchema } from './schema.js';
import { categoryOf, isMissing, parseNumber } from './values.js';

/** Values of one feature that were scored as missing, and why. */
export interface ReadAsMissing {
  feature: string;
  reason: 'unseen category' | 'not a number';
  rows: number;
  /** A few of the values, for the warning. */
  examples: string[];
  /** Whether there are other values than the examples. */
  more: boolean;
}

const EXAMPLES = 3;

/** The warning a scoring command gives for values it read as missing, `where` naming the rows' source. */
export function describeReadAsMissing(
  { feature, reason, rows, examples, more }: ReadAsMissing,
  where: string,
): string {
  const what =
    reason === 'unseen category' ? 'values the model never saw' : 'values that are not numbers';
  const shown = `${examples.map((value) => `"${value}"`).join(', ')}${more ? ', …' : ''}`;
  return `${rows} row(s) of ${where} have ${feature} ${what} (${shown}): scored as missing`;
}

export class BatchEncoder {
  private readonly indexes: number[];
  private readonly lookups: Array<Map<string, number> | null>;
  private readonly asMissing: ReadAsMissing[];
  private readonly decimalComma: boolean;
  private columns: Array<Float64Array | Int32Array> = [];
  private rows = 0;

  constructor(
    private readonly schema: DataSchema,
    source: EncodedSource,
    private readonly capacity: number,
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
    this.asMissing = schema.features.map((feature) => ({
      feature: feature.name,
      reason: feature.kind === 'numeric' ? 'not a number' : 'unseen category',
      rows: 0,
      examples: [],
      more: false,
    }));
    this.decimalComma = source.delimiter !== ',';
    this.reset();
  }

  get size(): number {
    return this.rows;
  }

  get full(): boolean {
    return this.rows === this.capacity;
  }

  /** Encodes the next record. */
  add(fields: string[]): void {
    const row = this.rows++;
    for (let f = 0; f < this.indexes.length; f++) {
      const text = fields[this.indexes[f]];
      const lookup = this.lookups[f];
      if (isMissing(text)) {
        this.columns[f][row] = lookup === null ? NaN : -1;
      } else if (lookup === null) {
        const value = parseNumber(text, this.decimalComma);
        this.columns[f][row] = value;
        if (value !== value) this.countAsMissing(f, text.trim());
      } else {
        const category = categoryOf(text);
        const code = lookup.get(category);
        this.columns[f][row] = code ?? -1;
        if (code === undefined) this.countAsMissing(f, category);
      }
    }
  }

  /** The rows added since the last call, as feature columns; starts a new batch. */
  take(): FeatureColumn[] {
    const rows = this.rows;
    const columns = this.schema.features.map((feature, f): FeatureColumn => {
      const data = this.columns[f].subarray(0, rows);
      return feature.kind === 'numeric'
        ? { name: feature.name, kind: 'numeric', values: data as Float64Array }
        : {
            name: feature.name,
            kind: 'categorical',
            codes: data as Int32Array,
            categories: feature.categories.length,
          };
    });
    this.reset();
    return columns;
  }

  /** Features that met values read as missing (unseen categories, text in numbers), and how often. */
  readAsMissing(): ReadAsMissing[] {
    return this.asMissing.filter((entry) => entry.rows > 0);
  }

  private countAsMissing(f: number, value: string): void {
    const entry = this.asMissing[f];
    entry.rows++;
    if (!entry.examples.includes(value)) {
      if (entry.examples.length < EXAMPLES) entry.examples.push(value);
      else entry.more = true;
    }
  }

  /** Fresh arrays per batch: the last batch's may still be read by the scorer. */
  private reset(): void {
    this.columns = this.schema.features.map((feature) =>
      feature.kind === 'numeric' ? new Float64Array(this.capacity) : new Int32Array(this.capacity),
    );
    this.rows = 0;
  }
}
