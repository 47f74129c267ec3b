/**
 * Joins the chunks of one column (an Arrow record batch or a Parquet row group each) into the
 * single contiguous chunk the engine's model holds. Done once, at load, with one allocation per
 * buffer; the model's kernels then never look up chunks.
 */
import type {
  BoolColumnData,
  ColumnData,
  NumberColumnData,
  NumericArray,
  Utf8ColumnData,
  Validity,
} from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import { copyBits, filledBitmap } from './bitmaps.ts';

type NumericArrayConstructor = new (length: number) => NumericArray;

const MAX_TEXT_BYTES = 2_147_483_647;

/**
 * The validity of chunks end to end: null when no chunk has a null, else one bitmap.
 *
 * @example
 * const validity = joinValidity([batch0Column, batch1Column], rows);
 */
export function joinValidity(
  parts: readonly { readonly validity: Validity; readonly length: number }[],
  length: number,
): Validity {
  if (parts.every((part) => part.validity === null)) return null;
  const joined = filledBitmap(length, true);
  let at = 0;
  for (const part of parts) {
    if (part.validity !== null) copyBits(part.validity, 0, joined, at, part.length);
    at += part.length;
  }
  return joined;
}

function joinNumbers(parts: readonly NumberColumnData[], length: number): NumberColumnData {
  const first = parts[0]!;
  const sameArrays = parts.every((part) => part.values.constructor === first.values.constructor);
  const ArrayType = (
    sameArrays ? first.values.constructor : Float64Array
  ) as NumericArrayConstructor;
  const values = new ArrayType(length);
  let at = 0;
  for (const part of parts) {
    values.set(part.values.subarray(0, part.length), at);
    at += part.length;
  }
  return {
    kind: 'number',
    type: first.type,
    length,
    values,
    validity: joinValidity(parts, length),
  };
}

function joinBools(parts: readonly BoolColumnData[], length: number): BoolColumnData {
  const bits = new Uint8Array((length + 7) >> 3);
  let at = 0;
  for (const part of parts) {
    copyBits(part.bits, 0, bits, at, part.length);
    at += part.length;
  }
  return { kind: 'bool', type: 'bool', length, bits, validity: joinValidity(parts, length) };
}

function joinUtf8(parts: readonly Utf8ColumnData[], length: number): Utf8ColumnData {
  let totalBytes = 0;
  for (const part of parts) totalBytes += part.offsets[part.length]! - part.offsets[0]!;
  if (totalBytes > MAX_TEXT_BYTES) {
    throw new EngineError({
      code: 'too_large',
      message: 'A text column holds more than 2 GiB of text, more than one column may hold here.',
    });
  }
  const offsets = new Int32Array(length + 1);
  const bytes = new Uint8Array(totalBytes);
  let row = 0;
  let byte = 0;
  for (const part of parts) {
    const base = part.offsets[0]!;
    const shift = byte - base;
    for (let k = 1; k <= part.length; k++) offsets[row + k] = part.offsets[k]! + shift;
    const end = part.offsets[part.length]!;
    bytes.set(part.bytes.subarray(base, end), byte);
    byte += end - base;
    row += part.length;
  }
  return {
    kind: 'utf8',
    type: 'string',
    length,
    offsets,
    bytes,
    validity: joinValidity(parts, length),
  };
}

/**
 * The chunks of one column as one chunk; all chunks must have the same kind and type. Numbers
 * keep their typed array when all chunks share it (else become `Float64Array`). Dictionary
 * columns are joined where their dictionaries are known (see `ipc-to-table.ts`), not here.
 *
 * @example
 * const column = concatColumns([batch0Column, batch1Column]);
 */
export function concatColumns(parts: readonly ColumnData[]): ColumnData {
  const first = parts[0];
  if (first === undefined) throw new RangeError('concatColumns needs at least one chunk.');
  if (parts.length === 1) return first;
  let length = 0;
  for (const part of parts) length += part.length;
  switch (first.kind) {
    case 'number':
      return joinNumbers(parts as readonly NumberColumnData[], length);
    case 'bool':
      return joinBools(parts as readonly BoolColumnData[], length);
    case 'utf8':
      return joinUtf8(parts as readonly Utf8ColumnData[], length);
    case 'dict':
      throw new RangeError('concatColumns does not join dictionary columns.');
  }
}
