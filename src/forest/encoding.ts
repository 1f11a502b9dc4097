/** Typed arrays as base64 text (little-endian bytes), so a model is compact, JSON-safe data. */

type TypedArray = Int32Array | Uint32Array | Float64Array | Uint8Array;
type TypedArrayClass<T extends TypedArray> = {
  new (buffer: ArrayBuffer): T;
  BYTES_PER_ELEMENT: number;
  name: string;
};

export function encodeArray(array: TypedArray): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

export function decodeArray<T extends TypedArray>(
  text: unknown,
  type: TypedArrayClass<T>,
  what: string,
): T {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new TypeError(`${what} is not base64 text`);
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % type.BYTES_PER_ELEMENT !== 0) {
    throw new TypeError(
      `${what} has ${bytes.length} bytes, not a whole number of ${type.name} values`,
    );
  }
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new type(copy);
}
