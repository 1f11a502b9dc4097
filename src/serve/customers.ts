/**
 * The customers of a `POST /predict` body, as the rows `churn predict` reads from a file: a header
 * and text records, so the very encoder and scoring loop of the batch job score them. A body is
 * one customer (a JSON object), several (a JSON array of objects), or a CSV with a header row
 * (`Content-Type: text/csv`). JSON values become the text a CSV would hold: a number its shortest
 * round-trip decimal (so it reads back as the same double), null an empty cell.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { detectDelimiter } from '../data/delimiter.js';
import type { DataSchema } from '../data/schema.js';
import { memorySource, type RowSource } from '../jobs/scoring/batches.js';
import { jsonErrorWhere } from '../common/json-error.js';
import { HttpError } from './http-error.js';

export interface Customers {
  /** A single JSON object, answered with a single object. */
  single: boolean;
  rows: number;
  source: RowSource;
  /** Each customer's id as sent, when the model has an id column and the body carries it. */
  ids: unknown[] | null;
}

export type BodyFormat = 'json' | 'csv';

/** What the Content-Type asks for; a missing one is read as JSON. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'text/csv') return 'csv';
  throw new HttpError(
    415,
    'unsupported_media_type',
    `cannot read a ${type} body: send Content-Type application/json (a customer or an array of ` +
      'them) or text/csv (a header row, then one customer per line)',
  );
}

export interface ReadOptions {
  /** Longest CSV field or line, in characters (data.maxFieldSize). */
  maxFieldSize: number;
}

export function readCustomers(
  body: Buffer,
  format: BodyFormat,
  schema: DataSchema,
  options: ReadOptions,
): Customers {
  const text = body.toString('utf8');
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return format === 'json'
    ? jsonCustomers(withoutBom, schema)
    : csvCustomers(withoutBom, schema.id, options);
}

function jsonCustomers(text: string, schema: DataSchema): Customers {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      'invalid_json',
      `the body is not valid JSON: ${jsonErrorWhere(text, error)}`,
    );
  }
  const single = isObject(value);
  if (!single && !Array.isArray(value)) {
    throw new HttpError(
      400,
      'invalid_customers',
      `expected a customer (a JSON object of column: value) or an array of them, got ${kindOf(value)}`,
    );
  }
  const objects = (single ? [value] : value) as unknown[];
  const header = schema.features.map((feature) => feature.name);
  const records: string[][] = new Array(objects.length);
  const idColumn = schema.id;
  let ids: unknown[] | null = null;
  for (let index = 0; index < objects.length; index++) {
    const customer = objects[index];
    const where = single ? 'the customer' : `customers[${index}]`;
    if (!isObject(customer)) {
      throw new HttpError(
        400,
        'invalid_customers',
        `${where} is ${kindOf(customer)}, not an object`,
      );
    }
    const fields: string[] = new Array(header.length);
    for (let f = 0; f < header.length; f++) {
      const cell = customer[header[f]];
      if (cell === undefined) throw missingFeatures(customer, header, where);
      fields[f] = cellText(cell, `${where}.${header[f]}`);
    }
    records[index] = fields;
    if (idColumn !== null && idColumn in customer) {
      ids ??= new Array<unknown>(objects.length).fill(null);
      ids[index] = customer[idColumn];
    }
  }
  return {
    single,
    rows: records.length,
    source: memorySource('the request', ',', header, records),
    ids,
  };
}

function csvCustomers(text: string, idColumn: string | null, options: ReadOptions): Customers {
  const delimiter = detectDelimiter(text.slice(0, 64 * 1024));
  let table: string[][];
  try {
    table = parse(text, {
      bom: true,
      delimiter,
      skip_empty_lines: true,
      max_record_size: options.maxFieldSize,
    }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    throw new HttpError(
      400,
      'invalid_csv',
      `the CSV body${line === undefined ? '' : `, line ${line}`}: ${csvProblem(error)}`,
    );
  }
  if (table.length === 0) {
    throw new HttpError(400, 'invalid_csv', 'the CSV body is empty: expected a header row');
  }
  const header = table[0].map((name) => name.trim());
  const duplicated = header.filter((name, i) => name !== '' && header.indexOf(name) !== i);
  if (duplicated.length > 0) {
    throw new HttpError(
      400,
      'invalid_csv',
      `the CSV body's header names ${[...new Set(duplicated)].map((name) => `"${name}"`).join(', ')} more than once`,
    );
  }
  const records = table.slice(1);
  const idAt = idColumn === null ? -1 : header.indexOf(idColumn);
  return {
    single: false,
    rows: records.length,
    source: memorySource('the CSV body', delimiter, header, records),
    ids: idAt < 0 ? null : records.map((record) => record[idAt]),
  };
}

function csvProblem(error: CsvError): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'a row has a different number of fields than the header';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a field or line is longer than data.maxFieldSize allows';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'the body ends inside a quoted field';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing quote is followed by text instead of a delimiter';
    default:
      return error.message;
  }
}

function missingFeatures(
  customer: Record<string, unknown>,
  header: string[],
  where: string,
): HttpError {
  const missing = header.filter((name) => customer[name] === undefined);
  return new HttpError(
    422,
    'missing_features',
    `${where} lacks the model's feature${missing.length > 1 ? 's' : ''} ` +
      `${missing.map((name) => `"${name}"`).join(', ')} (null marks a missing value); ` +
      `the model's features: ${header.join(', ')}`,
  );
}

function cellText(value: unknown, where: string): string {
  switch (typeof value) {
    case 'number':
      return String(value);
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value === null) return '';
      throw new HttpError(
        422,
        'invalid_value',
        `${where} is ${kindOf(value)}: expected a number, text or null`,
      );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
