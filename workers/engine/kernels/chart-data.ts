/**
 * The data a chart draws, computed from a view so that the page never touches every row; the
 * shapes are those of `ChartQuery` in protocol.ts.
 */
import type {
  Column,
  ColumnData,
  ColumnTable,
  NumberColumnData,
  Selection,
  Utf8ColumnData,
} from '../columns/column-data.ts';
import { EngineError, columnNamed } from '../engine-error.ts';
import type { ChartQuery } from '../protocol.ts';
import { numericSummary } from './column-stats.ts';
import { gatherColumn } from './gather-table.ts';
import { groupBy } from './group-by.ts';
import { sortRows } from './sort-rows.ts';

function floats(
  values: readonly number[],
  type: NumberColumnData['type'] = 'float',
): NumberColumnData {
  return {
    kind: 'number',
    type,
    length: values.length,
    values: Float64Array.from(values),
    validity: null,
  };
}

function numbersOf(column: Column): NumberColumnData {
  if (column.data.kind !== 'number') {
    throw new EngineError({
      code: 'type_mismatch',
      message: `This chart needs numbers; column "${column.name}" holds ${column.data.type} values.`,
    });
  }
  return column.data;
}

function isValidRow(data: ColumnData, row: number): boolean {
  return data.validity === null || ((data.validity[row >> 3]! >> (row & 7)) & 1) === 1;
}

function viewRows(table: ColumnTable, selection: Selection): Uint32Array {
  return selection ?? Uint32Array.from({ length: table.length }, (_, i) => i);
}

/** Linear-interpolated quantile of sorted numbers (R type 7). */
function quantile(sorted: Float64Array, q: number): number {
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

function boxRow(sorted: Float64Array): number[] {
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const reach = 1.5 * (q3 - q1);
  let lower = sorted[0]!;
  let upper = sorted[sorted.length - 1]!;
  for (const value of sorted)
    if (value >= q1 - reach) {
      lower = value;
      break;
    }
  for (let i = sorted.length - 1; i >= 0; i--)
    if (sorted[i]! <= q3 + reach) {
      upper = sorted[i]!;
      break;
    }
  return [sorted[0]!, q1, quantile(sorted, 0.5), q3, sorted[sorted.length - 1]!, lower, upper];
}

const BOX_NAMES = ['min', 'q1', 'median', 'q3', 'max', 'lower_whisker', 'upper_whisker'] as const;

function allGroup(): Utf8ColumnData {
  return {
    kind: 'utf8',
    type: 'string',
    length: 1,
    offsets: Int32Array.of(0, 3),
    bytes: new TextEncoder().encode('all'),
    validity: null,
  };
}

/**
 * The table a chart draws (see `ChartQuery`).
 *
 * @example
 * chartData(table, { kind: 'histogram', x: 'signal', bins: 30 }, null);
 */
export function chartData(
  table: ColumnTable,
  query: ChartQuery,
  selection: Selection,
): ColumnTable {
  switch (query.kind) {
    case 'histogram': {
      const x = columnNamed(table, query.x);
      numbersOf(x);
      const bins = Math.max(1, Math.min(1000, Math.floor(query.bins ?? 20)));
      const summary = numericSummary(x.data, selection, bins);
      const edges = summary?.histogram.edges ?? [];
      const counts = summary?.histogram.counts ?? [];
      return {
        length: counts.length,
        columns: [
          { name: 'bin_start', data: floats(edges.slice(0, -1)) },
          { name: 'bin_end', data: floats(edges.slice(1)) },
          { name: 'count', data: floats(counts, 'int') },
        ],
      };
    }
    case 'bar': {
      const grouped = groupBy(
        table,
        { keys: [query.x], aggregates: [{ ...query.aggregate, as: 'y' }] },
        selection,
      );
      const top = sortRows(grouped, [{ column: 'y', direction: 'desc' }], null).slice(
        0,
        Math.max(0, Math.floor(query.limit ?? 50)),
      );
      return {
        length: top.length,
        columns: [
          { name: 'x', data: gatherColumn(grouped.columns[0]!.data, top) },
          { name: 'y', data: gatherColumn(grouped.columns[1]!.data, top) },
        ],
      };
    }
    case 'line': {
      const x = columnNamed(table, query.x);
      const ys = query.y.map((name) => columnNamed(table, name));
      const ysData = ys.map(numbersOf);
      const sorted = sortRows(
        table,
        [{ column: query.x, direction: 'asc' }],
        viewRows(table, selection),
      );
      const withX = sorted.filter((row) => isValidRow(x.data, row));
      const maxPoints = Math.max(2, Math.floor(query.maxPoints ?? 2000));
      if (withX.length <= maxPoints) {
        return {
          length: withX.length,
          columns: [
            { name: 'x', data: gatherColumn(x.data, withX) },
            ...ys.map((y) => ({ name: y.name, data: gatherColumn(y.data, withX) })),
          ],
        };
      }
      // Each bucket gives two points: its first x with each y's minimum, its last x with the maxima.
      const buckets = Math.floor(maxPoints / 2);
      const picked: number[] = [];
      const yOut = ys.map(() => [] as number[]);
      const yNull = ys.map(() => [] as boolean[]);
      for (let b = 0; b < buckets; b++) {
        const start = Math.floor((b * withX.length) / buckets);
        const end = Math.floor(((b + 1) * withX.length) / buckets);
        picked.push(withX[start]!, withX[end - 1]!);
        ysData.forEach((data, j) => {
          let min = Infinity;
          let max = -Infinity;
          for (let i = start; i < end; i++) {
            const row = withX[i]!;
            if (!isValidRow(data, row)) continue;
            const value = data.values[row]!;
            if (value < min) min = value;
            if (value > max) max = value;
          }
          const empty = min > max;
          yOut[j]!.push(empty ? 0 : min, empty ? 0 : max);
          yNull[j]!.push(empty, empty);
        });
      }
      return {
        length: picked.length,
        columns: [
          { name: 'x', data: gatherColumn(x.data, Uint32Array.from(picked)) },
          ...ys.map((y, j) => {
            const column = floats(yOut[j]!, ysData[j]!.type);
            const nulls = yNull[j]!;
            if (!nulls.some(Boolean)) return { name: y.name, data: column };
            const bits = new Uint8Array((nulls.length + 7) >> 3);
            nulls.forEach((isNull, i) => {
              if (!isNull) bits[i >> 3]! |= 1 << (i & 7);
            });
            return { name: y.name, data: { ...column, validity: bits } };
          }),
        ],
      };
    }
    case 'scatter': {
      const x = columnNamed(table, query.x);
      const y = columnNamed(table, query.y);
      const color = query.color === undefined ? undefined : columnNamed(table, query.color);
      const rows = viewRows(table, selection).filter(
        (row) => isValidRow(x.data, row) && isValidRow(y.data, row),
      );
      const maxPoints = Math.max(1, Math.floor(query.maxPoints ?? 200_000));
      let sample = rows;
      if (rows.length > maxPoints) {
        sample = new Uint32Array(maxPoints);
        for (let i = 0; i < maxPoints; i++)
          sample[i] = rows[Math.floor((i * rows.length) / maxPoints)]!;
      }
      return {
        length: sample.length,
        columns: [
          { name: 'x', data: gatherColumn(x.data, sample) },
          { name: 'y', data: gatherColumn(y.data, sample) },
          ...(color ? [{ name: 'color', data: gatherColumn(color.data, sample) }] : []),
        ],
      };
    }
    case 'box': {
      const y = columnNamed(table, query.y);
      const yData = numbersOf(y);
      const rows = viewRows(table, selection);
      const groupOf = new Uint32Array(rows.length);
      let groupColumn: ColumnData = allGroup();
      let groups = 1;
      if (query.groupBy !== undefined) {
        const keyed = groupBy(table, { keys: [query.groupBy], aggregates: [] }, selection);
        groups = keyed.length;
        groupColumn = keyed.columns[0]!.data;
        // The group index of a row: its rank among the group keys, found by sorting once.
        const order = sortRows(table, [{ column: query.groupBy, direction: 'asc' }], rows);
        const key = columnNamed(table, query.groupBy).data;
        let group = 0;
        const groupOfRow = new Map<number, number>();
        for (let i = 0; i < order.length; i++) {
          if (i > 0 && !sameValue(key, order[i - 1]!, order[i]!)) group++;
          groupOfRow.set(order[i]!, group);
        }
        rows.forEach((row, i) => (groupOf[i] = groupOfRow.get(row)!));
      }
      const buckets = Array.from({ length: groups }, () => [] as number[]);
      rows.forEach((row, i) => {
        if (!isValidRow(yData, row)) return;
        const value = yData.values[row]!;
        if (value === value) buckets[groupOf[i]!]!.push(value);
      });
      const stats = buckets.map((values) => {
        const sorted = Float64Array.from(values).sort();
        return sorted.length > 0 ? boxRow(sorted) : null;
      });
      const has = stats.map((row) => row !== null);
      const validity = has.every(Boolean)
        ? null
        : Uint8Array.from({ length: (groups + 7) >> 3 }, (_, byte) => {
            let bits = 0;
            for (let bit = 0; bit < 8; bit++) if (has[byte * 8 + bit]) bits |= 1 << bit;
            return bits;
          });
      return {
        length: groups,
        columns: [
          { name: 'group', data: groupColumn },
          ...BOX_NAMES.map((name, j) => ({
            name,
            data: {
              ...floats(
                stats.map((row) => row?.[j] ?? 0),
                yData.type === 'int' ? 'float' : yData.type,
              ),
              validity,
            },
          })),
          {
            name: 'count',
            data: floats(
              buckets.map((values) => values.length),
              'int',
            ),
          },
        ],
      };
    }
  }
}

function sameValue(data: ColumnData, a: number, b: number): boolean {
  const validA = isValidRow(data, a);
  const validB = isValidRow(data, b);
  if (!validA || !validB) return validA === validB;
  switch (data.kind) {
    case 'number': {
      const va = data.values[a]!;
      const vb = data.values[b]!;
      return va === vb || (va !== va && vb !== vb);
    }
    case 'bool':
      return ((data.bits[a >> 3]! >> (a & 7)) & 1) === ((data.bits[b >> 3]! >> (b & 7)) & 1);
    case 'dict':
      return data.dictionary[data.codes[a]!] === data.dictionary[data.codes[b]!];
    case 'utf8': {
      const { offsets, bytes } = data;
      const length = offsets[a + 1]! - offsets[a]!;
      if (length !== offsets[b + 1]! - offsets[b]!) return false;
      for (let i = 0; i < length; i++)
        if (bytes[offsets[a]! + i] !== bytes[offsets[b]! + i]) return false;
      return true;
    }
  }
}
