/**
 * What the engine is asked to draw a dashboard view: its filters as one predicate (all must
 * hold) and its chart as a `ChartQuery`, for the columns the view's dataset has. A view names
 * columns by name only, and the dataset may have changed since the view was saved, so a column
 * that is gone or no longer fits is said in words rather than drawn wrong.
 */
import type { ChartQuery, ColumnSchema, Predicate, Scalar } from '../../workers/engine/protocol.ts';
import type { DashboardView } from '../api/dashboards-api.ts';
import { chartQueryFor } from '../charts/chart-query.ts';

type ViewFilter = NonNullable<DashboardView['filters']>[number];

export type ViewRequest =
  | {
      readonly ok: true;
      readonly filter: Predicate | undefined;
      /** Null for a table view. */
      readonly chart: ChartQuery | null;
    }
  | { readonly ok: false; readonly problem: string };

function predicateOf(filter: ViewFilter): Predicate {
  const { column, op, value } = filter;
  switch (op) {
    case 'is_null':
      return { op: 'is_null', column };
    case 'in':
      return { op: 'in', column, values: (Array.isArray(value) ? value : [value]) as Scalar[] };
    case 'contains':
      return { op: 'contains', column, value: String(value) };
    default:
      return { op, column, value: value as Scalar };
  }
}

/**
 * The engine request for a dataset view over a table of `columns`.
 *
 * @example
 * const request = viewRequest(view, table.columns);
 * if (request.ok) await engine().query(table.tableId, { filter: request.filter });
 */
export function viewRequest(view: DashboardView, columns: readonly ColumnSchema[]): ViewRequest {
  const missing = (view.filters ?? [])
    .map((filter) => filter.column)
    .filter((name) => !columns.some((column) => column.name === name));
  if (missing.length > 0) {
    return {
      ok: false,
      problem: `The data no longer has the column “${missing[0]!}” this view filters on.`,
    };
  }
  const predicates = (view.filters ?? []).map(predicateOf);
  const filter: Predicate | undefined =
    predicates.length === 0
      ? undefined
      : predicates.length === 1
        ? predicates[0]
        : { op: 'and', predicates };
  if (view.kind === 'table') return { ok: true, filter, chart: null };
  const chart = chartQueryFor({ kind: view.kind, ...view.encoding }, columns);
  if (typeof chart === 'string') {
    return { ok: false, problem: `The data no longer fits this chart. ${chart}` };
  }
  return { ok: true, filter, chart };
}
