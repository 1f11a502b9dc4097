/**
 * How a Parquet file is known by its first bytes, apart from its reader: telling CSV from Parquet
 * must not load the Parquet libraries, which only a Parquet file needs.
 */

/** The four bytes a Parquet file starts (and ends) with. */
export const PARQUET_MAGIC = Buffer.from('PAR1');

export function isParquet(start: Uint8Array): boolean {
  return start.length >= 4 && PARQUET_MAGIC.equals(start.subarray(0, 4));
}
