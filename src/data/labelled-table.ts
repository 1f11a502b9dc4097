/**
 * Reads a labelled CSV into what training needs: typed feature columns, 0/1 labels and the
 * schema the model will carry. Column kinds are inferred in the same single pass.
 */
import { InputError } from '../common/errors.js';
import { hashText } from '../common/random.js';
import { didYouMean } from '../common/suggest.js';
import { profileColumn } from '../evaluation/profile.js';
import type { FeatureColumn } from '../forest/index.js';
import { CATEGORY_LIMIT, ColumnBuilder, type ColumnKind } from './column-builder.js';
import type { CsvSource } from './csv-reader.js';
import { openTable } from './table-source.js';
import type { Delimiter } from './delimiter.js';
import { listColumns, type DataSchema, type FeatureSpec } from './schema.js';
import { decideTarget } from './target.js';
import { isMissing } from './values.js';

export interface LabelledReadOptions {
  target: string;
  id: string | null;
  positiveLabel: string | null;
  categorical?: string[];
  numeric?: string[];
  delimiter?: Delimiter;
  /** Longest field or line, in characters (data.maxFieldSize). */
  maxFieldSize?: number;
  onProgress?: (rows: number) => void;
}

export interface LabelledTable {
  /** The file as messages name it. */
  name: string;
  delimiter: Delimiter;
  /** sha256 of the file's bytes. */
  fingerprint: string;
  schema: DataSchema;
  features: FeatureColumn[];
  labels: Uint8Array;
  /**
   * A stable 32-bit key per row, from its id (or its whole text when there is no id column): the
   * holdout split follows it, so a row stays on the same side when the file grows.
   */
  rowKeys: Uint32Array;
  /** Data rows in the file, and those dropped for a missing target. */
  rowsRead: number;
  missingTarget: number;
  /** Numeric columns with a few text values, read as missing: for a warning. */
  strayText: StrayText[];
}

export interface StrayText {
  column: string;
  cells: number;
  /** The first such value and its line. */
  example: string;
  line: number;
}

const BATCH_ROWS = 16_384;
/** A target with more distinct values than this is reported at once, not collected. */
const MAX_TARGET_VALUES = 2;

export async function readLabelledTable(
  path: string,
  options: LabelledReadOptions,
): Promise<LabelledTable> {
  // Standard input is kept in a temporary file, so messages can name the line of a bad value.
  const source = await openTable(path, { ...options, rereadable: true });
  try {
    return await readOpened(source, options);
  } finally {
    source.close();
  }
}

/**
 * The phases: find the target, id and feature columns; read every row into the feature builders,
 * the target codes and the row keys; check what can only be judged once all is read (categories,
 * the target's values); drop the rows with no target; finish the columns and their schema.
 */
async function readOpened(source: CsvSource, options: LabelledReadOptions): Promise<LabelledTable> {
  const layout = columnLayout(source, options);
  const rows = await readRows(source, layout, options);
  refuseUnboundedCategories(layout.builders, source.name);
  const target = decideTarget(rows.targetValues, options.positiveLabel, {
    file: source.name,
    column: options.target,
  });
  const kept = rowsWithTarget(rows, target.isPositive);
  const strayText = await strayTextOf(layout.builders, source);
  const { features, specs } = finishFeatures(layout.builders, kept);
  return {
    name: source.name,
    delimiter: source.delimiter,
    fingerprint: source.fingerprint(),
    schema: {
      features: specs,
      target: options.target,
      id: options.id,
      labels: target.labels,
      ignored: layout.ignored,
    },
    features,
    labels: kept.labels,
    rowKeys: kept.rowKeys,
    rowsRead: rows.count,
    missingTarget: rows.count - kept.labels.length,
    strayText,
  };
}

/** Where each part of a record is: the target, the id, and a builder per feature column. */
interface ColumnLayout {
  targetIndex: number;
  /** -1 without an id column. */
  idIndex: number;
  featureIndexes: number[];
  builders: ColumnBuilder[];
  /** Columns read as neither, for a warning. */
  ignored: string[];
}

function columnLayout(source: CsvSource, options: LabelledReadOptions): ColumnLayout {
  const { header, name } = source;
  const targetIndex = requireColumn(source, options.target, '--target');
  const idIndex = options.id === null ? -1 : requireColumn(source, options.id, '--id');
  const kinds = declaredKinds(source, options, targetIndex, idIndex);
  const decimalComma = source.delimiter !== ',';
  const featureIndexes: number[] = [];
  const ignored: string[] = [];
  header.forEach((column, index) => {
    if (index === targetIndex || index === idIndex) return;
    if (column === '') ignored.push(`column ${index + 1} (no name)`);
    else featureIndexes.push(index);
  });
  if (featureIndexes.length === 0) {
    throw new InputError(
      { file: name, line: 1 },
      'has no feature columns besides the target and id',
    );
  }
  const builders = featureIndexes.map(
    (index) => new ColumnBuilder(header[index], kinds.get(header[index]), decimalComma),
  );
  return { targetIndex, idIndex, featureIndexes, builders, ignored };
}

/** What one pass over the records gives besides the feature builders' own columns. */
interface ReadRows {
  count: number;
  /** Per row: the index of its target value in `targetValues`, or -1 when it has none. */
  targetCodes: Int32Array;
  /** Per row: its key for the holdout split (see LabelledTable.rowKeys). */
  keys: Uint32Array;
  /** The target's distinct values, in order of appearance. */
  targetValues: string[];
}

async function readRows(
  source: CsvSource,
  { targetIndex, idIndex, featureIndexes, builders }: ColumnLayout,
  options: LabelledReadOptions,
): Promise<ReadRows> {
  const { name } = source;
  let targetCodes = new Int32Array(1024);
  let keys = new Uint32Array(1024);
  const targetValues: string[] = [];
  let rows = 0;
  for await (const batch of source.batches(BATCH_ROWS)) {
    for (const record of batch) {
      for (let f = 0; f < builders.length; f++) {
        if (!builders[f].add(record[featureIndexes[f]], rows)) {
          const line = await source.lineOf(rows);
          throw new InputError(
            { file: name, line, column: builders[f].name, record: rows },
            `"${record[featureIndexes[f]]}" is not a number, and the column was declared numeric`,
          );
        }
      }
      if (rows === targetCodes.length) {
        targetCodes = doubled(targetCodes, Int32Array);
        keys = doubled(keys, Uint32Array);
      }
      keys[rows] = hashText(idIndex >= 0 ? record[idIndex].trim() : record.join('\u0000'));
      const text = record[targetIndex].trim();
      if (isMissing(text)) {
        targetCodes[rows] = -1;
      } else {
        let code = targetValues.indexOf(text);
        if (code < 0) {
          code = targetValues.push(text) - 1;
          // A third value is refused at once, on its line, rather than after the whole file.
          if (targetValues.length > MAX_TARGET_VALUES) {
            const line = await source.lineOf(rows);
            decideTarget(targetValues, options.positiveLabel, {
              file: name,
              line,
              column: options.target,
              record: rows,
            });
          }
        }
        targetCodes[rows] = code;
      }
      rows++;
    }
    options.onProgress?.(rows);
  }
  if (rows === 0) throw new InputError({ file: name }, 'has a header but no data rows');
  return { count: rows, targetCodes, keys, targetValues };
}

function refuseUnboundedCategories(builders: ColumnBuilder[], file: string): void {
  for (const builder of builders) {
    if (builder.overflowed) {
      throw new InputError(
        { file, column: builder.name },
        `has more than ${CATEGORY_LIMIT.toLocaleString('en-US')} distinct values and not all are ` +
          `numbers (e.g. "${builder.firstText!.value}"): an identifier or free text, not a feature; ` +
          'name it with --id, or declare it --numeric if its text values mean missing',
      );
    }
  }
}

/** The rows that have a target value: their labels and keys, and which rows they are. */
interface KeptRows {
  labels: Uint8Array;
  rowKeys: Uint32Array;
  /** 1 for each row kept, or null when every row is. */
  keep: Uint8Array | null;
}

function rowsWithTarget(rows: ReadRows, isPositive: boolean[]): KeptRows {
  const { count, targetCodes, keys } = rows;
  let missingTarget = 0;
  for (let row = 0; row < count; row++) if (targetCodes[row] < 0) missingTarget++;
  const kept = count - missingTarget;
  const keep =
    missingTarget > 0
      ? Uint8Array.from(targetCodes.subarray(0, count), (c) => (c >= 0 ? 1 : 0))
      : null;
  const labels = new Uint8Array(kept);
  const rowKeys = new Uint32Array(kept);
  for (let row = 0, k = 0; row < count; row++) {
    const code = targetCodes[row];
    if (code >= 0) {
      rowKeys[k] = keys[row];
      labels[k++] = isPositive[code] ? 1 : 0;
    }
  }
  return { labels, rowKeys, keep };
}

async function strayTextOf(builders: ColumnBuilder[], source: CsvSource): Promise<StrayText[]> {
  const strayText: StrayText[] = [];
  for (const builder of builders) {
    if (builder.strayText === 0) continue;
    strayText.push({
      column: builder.name,
      cells: builder.strayText,
      example: builder.firstText!.value,
      line: await source.lineOf(builder.firstText!.record),
    });
  }
  return strayText;
}

/** Each feature's column over the kept rows, and its spec with the reference profile for drift. */
function finishFeatures(
  builders: ColumnBuilder[],
  { keep, labels }: KeptRows,
): { features: FeatureColumn[]; specs: FeatureSpec[] } {
  const features: FeatureColumn[] = [];
  const specs: FeatureSpec[] = [];
  for (const builder of builders) {
    const { column, categories } = builder.finish(keep, labels.length);
    features.push(column);
    const reference = profileColumn(column);
    specs.push(
      column.kind === 'numeric'
        ? { name: column.name, kind: 'numeric', reference }
        : { name: column.name, kind: 'categorical', categories, reference },
    );
  }
  return { features, specs };
}

function requireColumn(source: CsvSource, column: string, flag: string): number {
  const index = source.header.indexOf(column);
  if (index < 0) {
    throw new InputError(
      { file: source.name, line: 1 },
      `has no column "${column}" (${flag})${didYouMean(column, source.header, true)}; ` +
        `columns: ${listColumns(source.header)}`,
    );
  }
  return index;
}

function declaredKinds(
  source: CsvSource,
  options: LabelledReadOptions,
  targetIndex: number,
  idIndex: number,
): Map<string, ColumnKind> {
  const kinds = new Map<string, ColumnKind>();
  for (const [flag, kind, names] of [
    ['--categorical', 'categorical', options.categorical ?? []],
    ['--numeric', 'numeric', options.numeric ?? []],
  ] as const) {
    for (const column of names) {
      const index = requireColumn(source, column, flag);
      if (index === targetIndex || index === idIndex) {
        throw new InputError(
          { file: source.name, line: 1 },
          `column "${column}" (${flag}) is the ${index === targetIndex ? 'target' : 'id'}, not a feature`,
        );
      }
      if (kinds.has(column) && kinds.get(column) !== kind) {
        throw new InputError(
          { file: source.name, line: 1 },
          `column "${column}" is declared both --categorical and --numeric`,
        );
      }
      kinds.set(column, kind);
    }
  }
  // A Parquet file's types, where no flag says otherwise.
  for (const [column, kind] of source.kinds ?? []) {
    const index = source.header.indexOf(column);
    if (index !== targetIndex && index !== idIndex && !kinds.has(column)) kinds.set(column, kind);
  }
  return kinds;
}

function doubled<T extends Int32Array | Uint32Array>(
  array: T,
  Type: { new (length: number): T },
): T {
  const bigger = new Type(array.length * 2);
  bigger.set(array);
  return bigger;
}
