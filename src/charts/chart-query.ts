/**
 * The engine query behind a chart: a kind and the columns it draws, turned into a `ChartQuery`
 * with the sizes every chart of the app uses (40 histogram bins, 40 bars, 2,000 line points,
 * 200,000 scatter points). The workbench's chart builder and a dashboard's views both ask through
 * here, so a view saved from the workbench draws the same on its dashboard.
 */
import type {
  AggregateOp,
  ChartQuery,
  ColumnSchema,
  LogicalType,
} from '../../workers/engine/protocol.ts';

export type ChartKind = ChartQuery['kind'];

/** What a chart draws, by column name; which names a kind reads is up to the kind. */
export interface ChartEncoding {
  readonly kind: ChartKind;
  readonly x?: string | undefined;
  readonly y?: string | undefined;
  readonly color?: string | undefined;
  readonly groupBy?: string | undefined;
  /** For bars: what each bar shows; rows per value when absent. */
  readonly aggregate?: Exclude<AggregateOp, 'distinct_count'> | undefined;
}

export const HISTOGRAM_BINS = 40;
export const MAX_BARS = 40;
export const LINE_POINTS = 2_000;
export const SCATTER_POINTS = 200_000;

const NUMERIC: ReadonlySet<LogicalType> = new Set(['int', 'float', 'date', 'datetime']);
const CATEGORICAL: ReadonlySet<LogicalType> = new Set(['category', 'string', 'bool']);

/** Whether a chart can put a column on a numeric axis. */
export function isNumericColumn(column: ColumnSchema): boolean {
  return NUMERIC.has(column.type);
}

/** Whether a column's values name groups (boxes, bars). */
export function isCategoricalColumn(column: ColumnSchema): boolean {
  return CATEGORICAL.has(column.type);
}

/**
 * The query for `encoding` over a table of `columns`, or, when the columns do not fit the kind,
 * what to pick instead (a sentence for the person choosing).
 *
 * @example
 * const query = chartQueryFor({ kind: 'histogram', x: 'dose_mg' }, table.columns);
 * if (typeof query !== 'string') await engine().chart(viewId, query);
 */
export function chartQueryFor(
  encoding: ChartEncoding,
  columns: readonly ColumnSchema[],
): ChartQuery | string {
  const named = (name: string | undefined) =>
    name === undefined ? undefined : columns.find((column) => column.name === name);
  const x = named(encoding.x);
  const y = named(encoding.y);
  switch (encoding.kind) {
    case 'histogram':
      return x && isNumericColumn(x)
        ? { kind: 'histogram', x: x.name, bins: HISTOGRAM_BINS }
        : 'Pick a number column.';
    case 'bar': {
      if (!x) return 'Pick a column.';
      const op = encoding.aggregate ?? 'count';
      if (op === 'count') {
        return { kind: 'bar', x: x.name, aggregate: { op: 'count' }, limit: MAX_BARS };
      }
      return y && isNumericColumn(y)
        ? { kind: 'bar', x: x.name, aggregate: { op, column: y.name }, limit: MAX_BARS }
        : 'Pick a number column to sum up per bar.';
    }
    case 'line':
      return x && y && isNumericColumn(x) && isNumericColumn(y)
        ? { kind: 'line', x: x.name, y: [y.name], maxPoints: LINE_POINTS }
        : 'Pick two number columns.';
    case 'scatter': {
      if (!(x && y && isNumericColumn(x) && isNumericColumn(y))) return 'Pick two number columns.';
      const color = named(encoding.color);
      return {
        kind: 'scatter',
        x: x.name,
        y: y.name,
        maxPoints: SCATTER_POINTS,
        ...(color ? { color: color.name } : {}),
      };
    }
    case 'box': {
      if (!y || !isNumericColumn(y)) return 'Pick a number column.';
      const group = named(encoding.groupBy);
      return group ? { kind: 'box', y: y.name, groupBy: group.name } : { kind: 'box', y: y.name };
    }
  }
}
