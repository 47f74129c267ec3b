/**
 * The data a chart draws, computed from a view so that the page never touches every row; the
 * shapes are those of `ChartQuery` in protocol.ts. Charts reuse the other kernels: histograms
 * the stats' binning, bars a group-by and a top-k, lines the radix sort, box plots the group-by's
 * slots with one counting sort of the values into per-group runs.
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
import { groupBy, groupPositions } from './group-by.ts';
import { sortRows } from './sort-rows.ts';
import { topRows } from './top-rows.ts';

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

/** The rows of a view where every one of `columns` holds a value, in view order. */
function rowsHolding(
  columns: readonly ColumnData[],
  selection: Selection,
  count: number,
): Uint32Array {
  const rows = new Uint32Array(count);
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    rows[kept] = row;
    kept += columns.every((data) => isValidRow(data, row)) ? 1 : 0;
  }
  return rows.subarray(0, kept);
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
      const top = topRows(
        grouped,
        [{ column: 'y', direction: 'desc' }],
        Math.max(0, Math.floor(query.limit ?? 50)),
        null,
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
      const count = selection === null ? table.length : selection.length;
      const holding = rowsHolding([x.data], selection, count);
      const withX = sortRows(table, [{ column: query.x, direction: 'asc' }], holding);
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
      const count = selection === null ? table.length : selection.length;
      const rows = rowsHolding([x.data, y.data], selection, count);
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
      const count = selection === null ? table.length : selection.length;
      let groupOf: Uint32Array = new Uint32Array(count);
      let groupColumn: ColumnData = allGroup();
      let groups = 1;
      if (query.groupBy !== undefined) {
        const grouped = groupPositions(table, query.groupBy, selection);
        ({ groupOf, groups } = grouped);
        groupColumn = grouped.keys;
      }
      // A counting sort puts each group's values (nulls and NaN left out) in one run.
      const sizes = new Uint32Array(groups);
      const { values } = yData;
      const usable = (row: number) => isValidRow(yData, row) && values[row] === values[row];
      for (let i = 0; i < count; i++) {
        if (usable(selection === null ? i : selection[i]!)) sizes[groupOf[i]!]!++;
      }
      const starts = new Uint32Array(groups + 1);
      for (let g = 0; g < groups; g++) starts[g + 1] = starts[g]! + sizes[g]!;
      const runs = new Float64Array(starts[groups]!);
      const next = starts.slice(0, groups);
      for (let i = 0; i < count; i++) {
        const row = selection === null ? i : selection[i]!;
        if (usable(row)) runs[next[groupOf[i]!]!++] = values[row]!;
      }
      const stats = Array.from({ length: groups }, (_, g) => {
        const sorted = runs.subarray(starts[g]!, starts[g + 1]!).sort();
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
          { name: 'count', data: floats(Array.from(sizes), 'int') },
        ],
      };
    }
  }
}
