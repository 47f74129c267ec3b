/**
 * Gathers rows of columns into new, compact columns: the page of a view, an export, the key
 * columns of a group-by. One loop per column kind over the typed arrays.
 */
import type {
  CodeArray,
  Column,
  ColumnData,
  ColumnTable,
  NumericArray,
  Selection,
  Validity,
} from '../columns/column-data.ts';
import { columnNamed } from '../engine-error.ts';

function gatherValidity(validity: Validity, rows: Uint32Array): Validity {
  if (validity === null) return null;
  const out = new Uint8Array((rows.length + 7) >> 3);
  let anyNull = false;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if ((validity[row >> 3]! >> (row & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
    else anyNull = true;
  }
  return anyNull ? out : null;
}

/**
 * The rows `rows` of a column, in that order, as a new column.
 *
 * @example
 * gatherColumn(column.data, Uint32Array.of(3, 1));
 */
export function gatherColumn(data: ColumnData, rows: Uint32Array): ColumnData {
  const length = rows.length;
  const validity = gatherValidity(data.validity, rows);
  switch (data.kind) {
    case 'number': {
      const values = new (data.values.constructor as new (n: number) => NumericArray)(length);
      const source = data.values;
      for (let i = 0; i < length; i++) values[i] = source[rows[i]!]!;
      return { kind: 'number', type: data.type, length, values, validity };
    }
    case 'bool': {
      const bits = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) {
        const row = rows[i]!;
        if ((data.bits[row >> 3]! >> (row & 7)) & 1) bits[i >> 3]! |= 1 << (i & 7);
      }
      return { kind: 'bool', type: 'bool', length, bits, validity };
    }
    case 'dict': {
      // Read once: on a table opened from Arrow IPC the first read checks every code.
      const source = data.codes;
      const codes = new (source.constructor as new (n: number) => CodeArray)(length);
      for (let i = 0; i < length; i++) codes[i] = source[rows[i]!]!;
      return {
        kind: 'dict',
        type: 'category',
        length,
        codes,
        dictionary: data.dictionary,
        validity,
      };
    }
    case 'utf8': {
      const { offsets: sourceOffsets, bytes: sourceBytes } = data;
      const offsets = new Int32Array(length + 1);
      let total = 0;
      for (let i = 0; i < length; i++) {
        const row = rows[i]!;
        total += sourceOffsets[row + 1]! - sourceOffsets[row]!;
        offsets[i + 1] = total;
      }
      const bytes = new Uint8Array(total);
      for (let i = 0; i < length; i++) {
        const row = rows[i]!;
        bytes.set(sourceBytes.subarray(sourceOffsets[row]!, sourceOffsets[row + 1]!), offsets[i]!);
      }
      return { kind: 'utf8', type: 'string', length, offsets, bytes, validity };
    }
  }
}

/**
 * Rows `offset .. offset + limit` of a view (the named columns, else all) as a new table.
 *
 * @example
 * gatherTable(table, selection, 0, 100, ['dose_mg']);
 */
export function gatherTable(
  table: ColumnTable,
  selection: Selection,
  offset: number,
  limit: number,
  columns?: readonly string[],
): ColumnTable {
  const total = selection === null ? table.length : selection.length;
  const start = Math.max(0, Math.min(total, Math.floor(offset)));
  const end = Math.max(start, Math.min(total, start + Math.max(0, Math.floor(limit))));
  const rows = new Uint32Array(end - start);
  if (selection === null) for (let i = start; i < end; i++) rows[i - start] = i;
  else rows.set(selection.subarray(start, end));
  const picked: readonly Column[] =
    columns === undefined ? table.columns : columns.map((name) => columnNamed(table, name));
  return {
    length: rows.length,
    // The spread keeps a column's `source`: a page of a plugin's column still names the plugin.
    columns: picked.map((column) => ({ ...column, data: gatherColumn(column.data, rows) })),
  };
}
