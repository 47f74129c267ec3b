/**
 * What a chart draws, as plain data: the engine's chart answer (a small table, see `ChartQuery`
 * in the engine protocol) turned into axes and series. Knows nothing of the charting library, so
 * the mapping is tested on its own and `uplot-chart.tsx` only draws.
 */
import type { ColumnTable, NumericArray } from '../../workers/engine/columns/column-data.ts';
import { valueAt } from '../../workers/engine/columns/column-data.ts';
import type { ChartQuery, LogicalType } from '../../workers/engine/protocol.ts';

export interface ChartAxis {
  readonly label: string;
  /** How values on this axis read: as numbers, dates, datetimes, or category names. */
  readonly scale: 'number' | 'date' | 'datetime' | 'category';
  /** Names of the categories, for `category` axes (position i is `categories[i]`). */
  readonly categories?: readonly string[];
}

export interface ChartSeries {
  readonly label: string;
  readonly values: ArrayLike<number | null>;
}

export interface BoxStats {
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  readonly lowerWhisker: number;
  readonly upperWhisker: number;
  readonly count: number;
}

export type ChartFigure =
  | {
      readonly kind: 'histogram' | 'bar' | 'line';
      readonly x: ChartAxis;
      readonly xValues: ArrayLike<number>;
      readonly y: ChartAxis;
      readonly series: readonly ChartSeries[];
      /** For histograms: each bar's width in x units. */
      readonly barWidth?: number;
    }
  | {
      readonly kind: 'scatter';
      readonly x: ChartAxis;
      readonly y: ChartAxis;
      readonly xValues: ArrayLike<number>;
      readonly yValues: ArrayLike<number>;
      readonly points: number;
    }
  | {
      readonly kind: 'box';
      readonly x: ChartAxis;
      readonly y: ChartAxis;
      readonly boxes: readonly BoxStats[];
    };

function numbers(table: ColumnTable, name: string): NumericArray {
  const data = table.columns.find((column) => column.name === name)?.data;
  if (data?.kind !== 'number') throw new Error(`The chart answer has no numbers in “${name}”.`);
  return data.values;
}

function nullableNumbers(table: ColumnTable, name: string): (number | null)[] {
  const data = table.columns.find((column) => column.name === name)?.data;
  if (!data) throw new Error(`The chart answer has no column “${name}”.`);
  return Array.from({ length: table.length }, (_, row) => {
    const value = valueAt(data, row);
    return typeof value === 'number' ? value : null;
  });
}

function labels(table: ColumnTable, name: string): string[] {
  const data = table.columns.find((column) => column.name === name)?.data;
  if (!data) throw new Error(`The chart answer has no column “${name}”.`);
  return Array.from({ length: table.length }, (_, row) => {
    const value = valueAt(data, row);
    return value === null ? '(empty)' : String(value);
  });
}

function scaleOf(type: LogicalType | undefined): ChartAxis['scale'] {
  if (type === 'date' || type === 'datetime') return type;
  if (type === 'int' || type === 'float') return 'number';
  return 'category';
}

function aggregateLabel(query: Extract<ChartQuery, { kind: 'bar' }>): string {
  const { aggregate } = query;
  if (aggregate.op === 'count') return 'Rows';
  const op = aggregate.op === 'distinct_count' ? 'distinct' : aggregate.op;
  return `${op} of ${aggregate.column}`;
}

/**
 * The figure for a chart answer.
 *
 * @example
 * chartFigure({ kind: 'histogram', x: 'dose' }, answer, typeOf);
 */
export function chartFigure(
  query: ChartQuery,
  answer: ColumnTable,
  typeOf: (column: string) => LogicalType | undefined,
): ChartFigure {
  switch (query.kind) {
    case 'histogram': {
      const starts = numbers(answer, 'bin_start');
      const ends = numbers(answer, 'bin_end');
      const first = starts[0];
      const firstEnd = ends[0];
      return {
        kind: 'histogram',
        x: {
          label: query.x,
          scale: scaleOf(typeOf(query.x)) === 'category' ? 'number' : scaleOf(typeOf(query.x)),
        },
        xValues: Float64Array.from(starts, (start, i) => (start + (ends[i] ?? start)) / 2),
        y: { label: 'Rows', scale: 'number' },
        series: [{ label: 'Rows', values: numbers(answer, 'count') }],
        barWidth: first !== undefined && firstEnd !== undefined ? firstEnd - first : 1,
      };
    }
    case 'bar': {
      const categories = labels(answer, 'x');
      return {
        kind: 'bar',
        x: { label: query.x, scale: 'category', categories },
        xValues: Float64Array.from(categories, (_, i) => i),
        y: { label: aggregateLabel(query), scale: 'number' },
        series: [{ label: aggregateLabel(query), values: nullableNumbers(answer, 'y') }],
      };
    }
    case 'line':
      return {
        kind: 'line',
        x: { label: query.x, scale: scaleOf(typeOf(query.x)) },
        xValues: numbers(answer, 'x'),
        y: { label: query.y.join(', '), scale: 'number' },
        series: query.y.map((name) => ({ label: name, values: nullableNumbers(answer, name) })),
      };
    case 'scatter':
      return {
        kind: 'scatter',
        x: { label: query.x, scale: scaleOf(typeOf(query.x)) },
        y: { label: query.y, scale: scaleOf(typeOf(query.y)) },
        xValues: numbers(answer, 'x'),
        yValues: numbers(answer, 'y'),
        points: answer.length,
      };
    case 'box': {
      const groups = query.groupBy ? labels(answer, 'group') : [query.y];
      const column = (name: string) => numbers(answer, name);
      const [min, q1, median, q3, max, lower, upper, count] = [
        'min',
        'q1',
        'median',
        'q3',
        'max',
        'lower_whisker',
        'upper_whisker',
        'count',
      ].map(column);
      return {
        kind: 'box',
        x: { label: query.groupBy ?? '', scale: 'category', categories: groups },
        y: { label: query.y, scale: 'number' },
        boxes: Array.from({ length: answer.length }, (_, i) => ({
          min: min?.[i] ?? 0,
          q1: q1?.[i] ?? 0,
          median: median?.[i] ?? 0,
          q3: q3?.[i] ?? 0,
          max: max?.[i] ?? 0,
          lowerWhisker: lower?.[i] ?? 0,
          upperWhisker: upper?.[i] ?? 0,
          count: count?.[i] ?? 0,
        })),
      };
    }
  }
}
