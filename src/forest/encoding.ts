/** Typed arrays as base64 text (little-endian bytes), so a model is compact, JSON-safe data. */

type TypedArray = Int32Array | Uint32Array | Float64Array | Uint8Array;
type TypedArrayClass<T extends TypedArray> = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): T;
  BYTES_PER_ELEMENT: number;
  name: string;
};

/** Base64 of at most this many bytes per slice: whole 3-byte groups, so no slice is padded. */
const SLICE_BYTES = 3 << 20;

export function encodeArray(array: TypedArray): string {
  return [...encodeArrayInSlices(array)].join('');
}

/**
 * encodeArray's text in slices of at most 4 MiB characters, which join into the whole: for
 * writing a large array without holding all of its text.
 */
export function* encodeArrayInSlices(
  array: TypedArray,
  sliceBytes = SLICE_BYTES,
): Generator<string> {
  if (sliceBytes % 3 !== 0) throw new RangeError('slices must hold whole 3-byte groups');
  const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  for (let start = 0; start < bytes.length; start += sliceBytes)
    yield bytes.toString('base64', start, Math.min(start + sliceBytes, bytes.length));
}

export function decodeArray<T extends TypedArray>(
  text: unknown,
  type: TypedArrayClass<T>,
  what: string,
): T {
  if (typeof text !== 'string' || text.length % 4 !== 0) {
    throw new TypeError(`${what} is not base64 text`);
  }
  const bytes = Buffer.from(text, 'base64');
  // The decoder skips what is not base64, so text holding anything else decodes short. (A
  // pattern test over the text did the same in 40% of the time a large model took to load.)
  if (bytes.length !== Buffer.byteLength(text, 'base64')) {
    throw new TypeError(`${what} is not base64 text`);
  }
  const size = type.BYTES_PER_ELEMENT;
  if (bytes.length % size !== 0) {
    throw new TypeError(
      `${what} has ${bytes.length} bytes, not a whole number of ${type.name} values`,
    );
  }
  // A large decode owns its memory and is used in place; a small one shares Node's buffer pool,
  // at any offset, and is copied out.
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) {
    return new type(bytes.buffer as ArrayBuffer, 0, bytes.length / size);
  }
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new type(copy);
}
