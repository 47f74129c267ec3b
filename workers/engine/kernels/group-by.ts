/**
 * The group-by kernel: rows of a view grouped by key columns (nulls form a group of their own,
 * last), ordered by the keys ascending, with count/sum/mean/min/max/distinct_count per group.
 * Keys become per-row ranks (see `rankColumn`), combined into one dense group index per row.
 */
import type { Column, ColumnTable, NumberColumnData, Selection } from '../columns/column-data.ts';
import { EngineError, columnNamed } from '../engine-error.ts';
import type { Aggregate, GroupBySpec } from '../protocol.ts';
import { gatherColumn } from './gather-table.ts';
import { rankColumn } from './sort-rows.ts';

/** Dense group index per position of `rows`, groups numbered in key order. */
function groupIndex(
  table: ColumnTable,
  keys: readonly string[],
  rows: Uint32Array,
): { groupOf: Uint32Array; groups: number; firstRow: Uint32Array } {
  const count = rows.length;
  let groupOf = new Uint32Array(count);
  let groups = count > 0 ? 1 : 0;
  for (const key of keys) {
    const { ranks, nulls } = rankColumn(columnNamed(table, key).data);
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    const rankAt = (i: number) => {
      const row = rows[i]!;
      return nulls[row] ? Infinity : ranks[row]!;
    };
    const current = groupOf;
    order.sort((a, b) => current[a]! - current[b]! || rankAt(a) - rankAt(b) || 0);
    const next = new Uint32Array(count);
    let group = -1;
    for (let i = 0; i < count; i++) {
      const at = order[i]!;
      if (i === 0) group = 0;
      else {
        const before = order[i - 1]!;
        if (current[before] !== current[at] || rankAt(before) !== rankAt(at)) group++;
      }
      next[at] = group;
    }
    groupOf = next;
    groups = group + 1;
  }
  const firstRow = new Uint32Array(groups).fill(0xffffffff);
  for (let i = count - 1; i >= 0; i--) firstRow[groupOf[i]!] = rows[i]!;
  return { groupOf, groups, firstRow };
}

function nameOf(aggregate: Aggregate): string {
  if (aggregate.as !== undefined) return aggregate.as;
  return aggregate.op === 'count' ? 'count' : `${aggregate.op}_${aggregate.column}`;
}

function validityOf(has: Uint8Array): Uint8Array | null {
  if (has.every((flag) => flag === 1)) return null;
  const bits = new Uint8Array((has.length + 7) >> 3);
  for (let i = 0; i < has.length; i++) if (has[i]) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

function aggregateColumn(
  table: ColumnTable,
  aggregate: Aggregate,
  rows: Uint32Array,
  groupOf: Uint32Array,
  groups: number,
): NumberColumnData {
  if (aggregate.op === 'count') {
    const counts = new Float64Array(groups);
    for (let i = 0; i < rows.length; i++) counts[groupOf[i]!]!++;
    return { kind: 'number', type: 'int', length: groups, values: counts, validity: null };
  }
  const column: Column = columnNamed(table, aggregate.column);
  const { data } = column;
  const valid = (row: number) =>
    data.validity === null || ((data.validity[row >> 3]! >> (row & 7)) & 1) === 1;
  if (aggregate.op === 'distinct_count') {
    const { ranks, nulls } = rankColumn(data);
    const seen = new Set<string>();
    const counts = new Float64Array(groups);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (nulls[row]) continue;
      const key = `${groupOf[i]!}:${ranks[row]!}`;
      if (!seen.has(key)) {
        seen.add(key);
        counts[groupOf[i]!]!++;
      }
    }
    return { kind: 'number', type: 'int', length: groups, values: counts, validity: null };
  }
  if (data.kind !== 'number') {
    throw new EngineError({
      code: 'type_mismatch',
      message: `"${aggregate.op}" needs numbers; column "${column.name}" holds ${data.type} values.`,
    });
  }
  const { values } = data;
  const result = new Float64Array(groups);
  const seen = new Float64Array(groups);
  const has = new Uint8Array(groups);
  const op = aggregate.op;
  if (op === 'min') result.fill(Infinity);
  if (op === 'max') result.fill(-Infinity);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!valid(row)) continue;
    const group = groupOf[i]!;
    const value = values[row]!;
    has[group] = 1;
    seen[group]!++;
    if (op === 'sum' || op === 'mean') result[group]! += value;
    else if (op === 'min') result[group] = value < result[group]! ? value : result[group]!;
    else result[group] = value > result[group]! ? value : result[group]!;
  }
  if (op === 'mean')
    for (let g = 0; g < groups; g++) result[g] = seen[g]! > 0 ? result[g]! / seen[g]! : 0;
  for (let g = 0; g < groups; g++) if (!has[g]) result[g] = 0;
  const type =
    op === 'mean' ? 'float' : op === 'sum' ? (data.type === 'int' ? 'int' : 'float') : data.type;
  return { kind: 'number', type, length: groups, values: result, validity: validityOf(has) };
}

/**
 * Groups a view by `spec.keys` and computes `spec.aggregates` per group.
 *
 * @example
 * groupBy(table, { keys: ['drug'], aggregates: [{ op: 'count' }, { op: 'mean', column: 'dose' }] }, null);
 */
export function groupBy(table: ColumnTable, spec: GroupBySpec, selection: Selection): ColumnTable {
  const rows = selection ?? Uint32Array.from({ length: table.length }, (_, i) => i);
  const { groupOf, groups, firstRow } = groupIndex(table, spec.keys, rows);
  const keyColumns = spec.keys.map((key) => ({
    name: key,
    data: gatherColumn(columnNamed(table, key).data, firstRow),
  }));
  const aggregateColumns = spec.aggregates.map((aggregate) => ({
    name: nameOf(aggregate),
    data: aggregateColumn(table, aggregate, rows, groupOf, groups),
  }));
  return { length: groups, columns: [...keyColumns, ...aggregateColumns] };
}
