/**
 * Collects one column's cells as the file streams by and decides what the column is: numeric
 * when its present cells are numbers (but for a few stray text values, read as missing and
 * reported), categorical otherwise, unless the user said which. Cells
 * are kept both ways (as numbers and as category codes) until the column has shown its kind, so
 * one pass over the file suffices.
 */
import type { FeatureColumn } from '../forest/index.js';
import { categoryOf, isMissing, parseNumber } from './values.js';

export type ColumnKind = 'numeric' | 'categorical';

/**
 * Distinct values kept as categories while a column still looks numeric. A numeric column passes
 * it and stops paying for the dictionary; a text column with more is an identifier or free text,
 * not a category.
 */
export const CATEGORY_LIMIT = 65_536;

/**
 * Share of present cells that may be text in a column still read as numbers: a typo or an export
 * glitch ("abc", "#N/A") should not turn an age into a category with one code per age.
 */
export const STRAY_TEXT_SHARE = 0.05;

export interface BuiltColumn {
  column: FeatureColumn;
  /** Category names by code (sorted), for categorical columns. */
  categories: string[];
}

export class ColumnBuilder {
  private length = 0;
  private values: Float64Array | null;
  private codes: Int32Array | null;
  private dictionary: Map<string, number> | null;
  /** The first present cell that is not a number, and its record. */
  firstText: { value: string; record: number } | null = null;
  /** Present cells, and those among them that are not numbers. */
  present = 0;
  textCells = 0;

  constructor(
    readonly name: string,
    readonly forced: ColumnKind | undefined,
    private readonly decimalComma: boolean,
  ) {
    this.values = forced === 'categorical' ? null : new Float64Array(1024);
    this.codes = forced === 'numeric' ? null : new Int32Array(1024);
    this.dictionary = forced === 'numeric' ? null : new Map();
  }

  /**
   * Adds the next cell. Returns false when a column declared numeric gets text; the caller
   * reports it with its line.
   */
  add(text: string, record: number): boolean {
    const row = this.length++;
    if (row === this.capacity) this.grow();
    if (isMissing(text)) {
      if (this.values) this.values[row] = NaN;
      if (this.codes) this.codes[row] = -1;
      return true;
    }
    this.present++;
    if (this.values) {
      const value = parseNumber(text, this.decimalComma);
      this.values[row] = value;
      if (Number.isNaN(value)) {
        this.textCells++;
        if (this.firstText === null) {
          this.firstText = { value: text, record };
          if (this.forced === 'numeric') return false;
        }
      }
    }
    if (this.codes && this.dictionary) {
      const category = categoryOf(text);
      let code = this.dictionary.get(category);
      if (code === undefined) {
        code = this.dictionary.size;
        this.dictionary.set(category, code);
        if (code >= CATEGORY_LIMIT && this.forced !== 'categorical') this.dropDictionary();
      }
      if (this.codes) this.codes[row] = code;
    }
    return true;
  }

  get kind(): ColumnKind {
    if (this.forced) return this.forced;
    return this.textCells <= STRAY_TEXT_SHARE * this.present && this.present > this.textCells
      ? 'numeric'
      : 'categorical';
  }

  /** Text cells of a column read as numbers: they become missing values. */
  get strayText(): number {
    return this.kind === 'numeric' ? this.textCells : 0;
  }

  /** A text column that has more distinct values than a category column may. */
  get overflowed(): boolean {
    return this.kind === 'categorical' && this.dictionary === null;
  }

  /** The column's rows where `keep` is 1 (all rows when it is null). */
  finish(keep: Uint8Array | null, kept: number): BuiltColumn {
    const select = <T extends Float64Array | Int32Array>(array: T, make: (n: number) => T): T => {
      if (keep === null) return array.slice(0, this.length) as T;
      const out = make(kept);
      for (let row = 0, k = 0; row < this.length; row++) if (keep[row]) out[k++] = array[row];
      return out;
    };
    if (this.kind === 'numeric') {
      const values = select(this.values!, (n) => new Float64Array(n));
      return { column: { name: this.name, kind: 'numeric', values }, categories: [] };
    }
    if (this.dictionary === null) throw new Error(`column ${this.name} lost its categories`);
    // Codes follow sorted category names, so the same data gives the same model in any row order.
    const categories = [...this.dictionary.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const canonical = new Int32Array(this.dictionary.size);
    categories.forEach((category, code) => (canonical[this.dictionary!.get(category)!] = code));
    const codes = select(this.codes!, (n) => new Int32Array(n));
    for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) codes[i] = canonical[codes[i]];
    return {
      column: { name: this.name, kind: 'categorical', codes, categories: categories.length },
      categories,
    };
  }

  private get capacity(): number {
    return (this.values ?? this.codes)!.length;
  }

  private grow(): void {
    const size = this.capacity * 2;
    if (this.values) {
      const values = new Float64Array(size);
      values.set(this.values);
      this.values = values;
    }
    if (this.codes) {
      const codes = new Int32Array(size);
      codes.set(this.codes);
      this.codes = codes;
    }
  }

  private dropDictionary(): void {
    this.dictionary = null;
    this.codes = null;
  }
}
