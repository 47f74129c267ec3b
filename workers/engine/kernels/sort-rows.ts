/**
 * The sort kernel: stable multi-key sort of a view's rows, nulls last in either direction. Each
 * key becomes a per-row rank (integers or floats via typed arrays; text through one code-point
 * ordering of its distinct values), then rows sort by a comparator over those rank arrays.
 */
import type { ColumnData, ColumnTable, Selection } from '../columns/column-data.ts';
import { columnNamed } from '../engine-error.ts';
import type { SortKey } from '../protocol.ts';
import { compareCodePoints } from './coerce-scalar.ts';

const decoder = new TextDecoder();

/**
 * Per row, a number whose order is the column's order (NaN ranks above +Infinity, -0 equals 0),
 * and NaN-free; nulls get +Infinity plus a separate null flag.
 *
 * @example
 * const { ranks, nulls } = rankColumn(column.data);
 */
export function rankColumn(data: ColumnData): { ranks: Float64Array; nulls: Uint8Array } {
  const { length, validity } = data;
  const ranks = new Float64Array(length);
  const nulls = new Uint8Array(length);
  if (validity !== null) {
    for (let row = 0; row < length; row++)
      nulls[row] = ((validity[row >> 3]! >> (row & 7)) & 1) ^ 1;
  }
  switch (data.kind) {
    case 'number': {
      const { values } = data;
      if (values instanceof Float64Array || values instanceof Float32Array)
        denseRanks(values, ranks);
      else for (let row = 0; row < length; row++) ranks[row] = values[row]!;
      break;
    }
    case 'bool':
      for (let row = 0; row < length; row++) ranks[row] = (data.bits[row >> 3]! >> (row & 7)) & 1;
      break;
    case 'dict': {
      const order = data.dictionary.map((_, code) => code);
      order.sort((a, b) => compareCodePoints(data.dictionary[a]!, data.dictionary[b]!));
      const rankOf = new Float64Array(data.dictionary.length);
      let rank = 0;
      for (let i = 0; i < order.length; i++) {
        if (i > 0 && data.dictionary[order[i]!] !== data.dictionary[order[i - 1]!]) rank++;
        rankOf[order[i]!] = rank;
      }
      for (let row = 0; row < length; row++)
        if (!nulls[row]) ranks[row] = rankOf[data.codes[row]!]!;
      break;
    }
    case 'utf8': {
      const ids = new Map<string, number>();
      const texts: string[] = [];
      const idOf = new Uint32Array(length);
      for (let row = 0; row < length; row++) {
        if (nulls[row]) continue;
        const text = decoder.decode(
          data.bytes.subarray(data.offsets[row]!, data.offsets[row + 1]!),
        );
        let id = ids.get(text);
        if (id === undefined) {
          id = texts.length;
          texts.push(text);
          ids.set(text, id);
        }
        idOf[row] = id;
      }
      const order = texts
        .map((_, id) => id)
        .sort((a, b) => compareCodePoints(texts[a]!, texts[b]!));
      const rankOf = new Float64Array(texts.length);
      for (let i = 0; i < order.length; i++) rankOf[order[i]!] = i;
      for (let row = 0; row < length; row++) if (!nulls[row]) ranks[row] = rankOf[idOf[row]!]!;
      break;
    }
  }
  for (let row = 0; row < length; row++) if (nulls[row]) ranks[row] = 0;
  return { ranks, nulls };
}

/** Replaces float ranks by dense integer ranks so that NaN and infinities order exactly. */
function denseRanks(values: Float32Array | Float64Array, ranks: Float64Array): void {
  const length = values.length;
  const order = new Uint32Array(length);
  for (let row = 0; row < length; row++) order[row] = row;
  const key = (value: number) => (value !== value ? Infinity : value);
  const nan = (value: number) => (value !== value ? 1 : 0);
  order.sort((a, b) => {
    const va = values[a]!;
    const vb = values[b]!;
    return nan(va) - nan(vb) || (key(va) < key(vb) ? -1 : key(va) > key(vb) ? 1 : 0);
  });
  let rank = 0;
  for (let i = 0; i < length; i++) {
    if (i > 0) {
      const previous = values[order[i - 1]!]!;
      const current = values[order[i]!]!;
      const same = previous === current || (previous !== previous && current !== current);
      if (!same) rank++;
    }
    ranks[order[i]!] = rank;
  }
}

/**
 * The rows of a view stably sorted by `keys`, nulls last in either direction.
 *
 * @example
 * sortRows(table, [{ column: 'dose_mg', direction: 'desc' }], null);
 */
export function sortRows(
  table: ColumnTable,
  keys: readonly SortKey[],
  rows: Selection,
): Uint32Array {
  const order = rows === null ? new Uint32Array(table.length) : rows.slice();
  if (rows === null) for (let i = 0; i < order.length; i++) order[i] = i;
  const ranked = keys.map((key) => ({
    ...rankColumn(columnNamed(table, key.column).data),
    sign: key.direction === 'desc' ? -1 : 1,
  }));
  const position = new Float64Array(table.length);
  for (let i = 0; i < order.length; i++) position[order[i]!] = i;
  order.sort((a, b) => {
    for (const { ranks, nulls, sign } of ranked) {
      const nullOrder = nulls[a]! - nulls[b]!;
      if (nullOrder !== 0) return nullOrder;
      const difference = ranks[a]! - ranks[b]!;
      if (difference !== 0) return difference * sign;
    }
    return position[a]! - position[b]!;
  });
  return order;
}

/**
 * The first `k` rows of `sortRows(table, keys, rows)`.
 *
 * @example
 * topRows(table, [{ column: 'signal', direction: 'desc' }], 10, null);
 */
export function topRows(
  table: ColumnTable,
  keys: readonly SortKey[],
  k: number,
  rows: Selection,
): Uint32Array {
  return sortRows(table, keys, rows).slice(0, Math.max(0, k));
}
