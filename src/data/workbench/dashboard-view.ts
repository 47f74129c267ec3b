/**
 * A workbench view as a dashboard view: the chart (or the table) and the filter, pointing at the
 * project dataset the data was shared as. Dashboards keep a flat list of conditions that all
 * must hold, with fewer operators than the workbench has; a filter that does not fit is refused
 * here with the reason, rather than saved as something that shows other rows.
 */
import type { ChartQuery, ColumnSchema } from '../../../workers/engine/protocol.ts';
import type { DashboardView } from '../../api/dashboards-api.ts';
import { UserFacingError } from '../../errors/user-facing-error.ts';
import type { FilterSummary } from './filter-builder.tsx';
import { opLabels } from './filter-conditions.ts';

type ViewFilter = NonNullable<DashboardView['filters']>[number];

export interface DashboardViewOptions {
  readonly title: string;
  readonly datasetId: string;
  readonly version: number;
  readonly chart: ChartQuery | null;
  readonly filter: FilterSummary | null;
  readonly columns: readonly ColumnSchema[];
  /** Ids already in the dashboard, so the new one is distinct. */
  readonly takenIds: readonly string[];
}

function slug(title: string, taken: readonly string[]): string {
  const base =
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'view';
  let candidate = base;
  for (let n = 2; taken.includes(candidate); n++) candidate = `${base}-${String(n)}`;
  return candidate;
}

function valueFor(text: string, column: ColumnSchema | undefined): string | number {
  if (column?.type === 'int' || column?.type === 'float') return Number(text);
  return text;
}

function filtersOf(summary: FilterSummary | null, columns: readonly ColumnSchema[]): ViewFilter[] {
  if (!summary || summary.conditions.length === 0) return [];
  if (summary.combinator === 'or' && summary.conditions.length > 1) {
    throw new UserFacingError(
      'A dashboard keeps conditions that must all hold; this filter matches “any” of them. Choose “all”, or save the chart without the filter.',
    );
  }
  return summary.conditions.map((condition) => {
    const column = columns.find((candidate) => candidate.name === condition.column);
    switch (condition.op) {
      case 'is_true':
        return { column: condition.column, op: 'eq', value: true };
      case 'is_false':
        return { column: condition.column, op: 'eq', value: false };
      case 'is_null':
        return { column: condition.column, op: 'is_null' };
      case 'starts_with':
      case 'not_null':
        throw new UserFacingError(
          `A dashboard cannot keep the condition “${condition.column} ${opLabels[condition.op]}”.`,
        );
      default:
        return {
          column: condition.column,
          op: condition.op,
          value: valueFor(condition.value, column),
        };
    }
  });
}

function encodingOf(chart: ChartQuery | null): Pick<DashboardView, 'kind' | 'encoding'> {
  switch (chart?.kind) {
    case undefined:
      return { kind: 'table' };
    case 'histogram':
      return { kind: 'histogram', encoding: { x: chart.x } };
    case 'bar':
      return {
        kind: 'bar',
        encoding: {
          x: chart.x,
          aggregate: chart.aggregate.op === 'distinct_count' ? 'count' : chart.aggregate.op,
          ...(chart.aggregate.op !== 'count' ? { y: chart.aggregate.column } : {}),
        },
      };
    case 'line':
      return { kind: 'line', encoding: { x: chart.x, ...(chart.y[0] ? { y: chart.y[0] } : {}) } };
    case 'scatter':
      return {
        kind: 'scatter',
        encoding: { x: chart.x, y: chart.y, ...(chart.color ? { color: chart.color } : {}) },
      };
    case 'box':
      return {
        kind: 'box',
        encoding: { y: chart.y, ...(chart.groupBy ? { groupBy: chart.groupBy } : {}) },
      };
  }
}

/**
 * The dashboard view for what the workbench shows.
 *
 * @example
 * const view = dashboardView({ title: 'Dose', datasetId, version: 1, chart, filter, columns, takenIds: [] });
 */
export function dashboardView(options: DashboardViewOptions): DashboardView {
  const filters = filtersOf(options.filter, options.columns);
  return {
    id: slug(options.title, options.takenIds),
    title: options.title,
    ...encodingOf(options.chart),
    source: { type: 'dataset', datasetId: options.datasetId, version: options.version },
    ...(filters.length > 0 ? { filters } : {}),
  };
}
