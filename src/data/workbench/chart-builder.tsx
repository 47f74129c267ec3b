/**
 * The chart controls of the workbench: a kind (histogram, bar, line, scatter, box) and the
 * columns it draws. The engine worker computes the chart's points over the current view (bins,
 * groups, an even sample of at most 200,000 scatter points; see `src/charts/chart-query.ts`), so
 * the page only draws.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { ChartQuery, ColumnSchema } from '../../../workers/engine/protocol.ts';
import { chartFigure } from '../../charts/chart-figure.ts';
import {
  chartQueryFor,
  isCategoricalColumn as isCategorical,
  isNumericColumn as isNumeric,
  type ChartKind,
} from '../../charts/chart-query.ts';
import { UplotChart } from '../../charts/uplot-chart.tsx';
import { useChartData } from '../../engine/use-chart-data.ts';
import { ErrorPanel } from '../../errors/error-panel.tsx';
import { LoadingState } from '../../ui/loading-state.tsx';

export const chartKindLabels: Record<ChartKind, string> = {
  histogram: 'Histogram',
  bar: 'Bar (rows per value)',
  line: 'Line',
  scatter: 'Scatter',
  box: 'Box plot',
};

interface ChartChoice {
  readonly kind: ChartKind;
  readonly x: string;
  readonly y: string;
  readonly group: string;
}

/** The engine query for a choice, or why there is none for these columns. */
function queryFor(choice: ChartChoice, columns: readonly ColumnSchema[]): ChartQuery | string {
  return chartQueryFor(
    {
      kind: choice.kind,
      x: choice.x,
      y: choice.y,
      ...(choice.group ? { groupBy: choice.group } : {}),
    },
    columns,
  );
}

function firstChoice(columns: readonly ColumnSchema[]): ChartChoice {
  const numeric = columns.filter(isNumeric);
  return {
    kind: 'histogram',
    x: numeric[0]?.name ?? columns[0]?.name ?? '',
    y: numeric[1]?.name ?? numeric[0]?.name ?? '',
    group: columns.find(isCategorical)?.name ?? '',
  };
}

interface ChartBuilderProps {
  /** The engine view the chart is drawn over. */
  readonly sourceId: string;
  readonly columns: readonly ColumnSchema[];
  /** Called with the query drawn, so the workbench can save the chart as a view. */
  readonly onChartChange?: (query: ChartQuery | null) => void;
}

export function ChartBuilder({ sourceId, columns, onChartChange }: ChartBuilderProps) {
  const [choice, setChoice] = useState<ChartChoice>(() => firstChoice(columns));
  const ids = { kind: useId(), x: useId(), y: useId(), group: useId() };
  const query = useMemo(() => queryFor(choice, columns), [choice, columns]);
  const asked = typeof query === 'string' ? null : query;
  const answer = useChartData(sourceId, asked);
  const typeOf = (name: string) => columns.find((column) => column.name === name)?.type;
  const figure = useMemo(
    () => (asked && answer.data ? chartFigure(asked, answer.data, typeOf) : null),
    // typeOf reads columns only
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [asked, answer.data, columns],
  );

  const change = (next: Partial<ChartChoice>) => {
    setChoice((current) => ({ ...current, ...next }));
  };

  useEffect(() => {
    onChartChange?.(asked);
  }, [asked, onChartChange]);

  const usesX = choice.kind !== 'box';
  const usesY = choice.kind === 'line' || choice.kind === 'scatter' || choice.kind === 'box';
  const xChoices = choice.kind === 'bar' ? columns : columns.filter(isNumeric);

  return (
    <section className="panel panel-wide chart-builder" aria-label="Chart">
      <h2 className="panel-title">Chart</h2>
      <div className="chart-controls">
        <div className="field">
          <label htmlFor={ids.kind}>Kind</label>
          <select
            id={ids.kind}
            value={choice.kind}
            onChange={(event) => change({ kind: event.target.value as ChartKind })}
          >
            {(Object.keys(chartKindLabels) as ChartKind[]).map((kind) => (
              <option key={kind} value={kind}>
                {chartKindLabels[kind]}
              </option>
            ))}
          </select>
        </div>
        {usesX && (
          <div className="field">
            <label htmlFor={ids.x}>{choice.kind === 'bar' ? 'Values of' : 'X axis'}</label>
            <select
              id={ids.x}
              value={choice.x}
              onChange={(event) => change({ x: event.target.value })}
            >
              {xChoices.map((column) => (
                <option key={column.name} value={column.name}>
                  {column.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {usesY && (
          <div className="field">
            <label htmlFor={ids.y}>Y axis</label>
            <select
              id={ids.y}
              value={choice.y}
              onChange={(event) => change({ y: event.target.value })}
            >
              {columns.filter(isNumeric).map((column) => (
                <option key={column.name} value={column.name}>
                  {column.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {choice.kind === 'box' && (
          <div className="field">
            <label htmlFor={ids.group}>One box per</label>
            <select
              id={ids.group}
              value={choice.group}
              onChange={(event) => change({ group: event.target.value })}
            >
              <option value="">(all rows)</option>
              {columns.filter(isCategorical).map((column) => (
                <option key={column.name} value={column.name}>
                  {column.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {typeof query === 'string' && <p className="note">{query}</p>}
      {answer.isPending && asked && <LoadingState label="Computing the chart…" />}
      {answer.isError && <ErrorPanel error={answer.error} title="The chart could not be drawn" />}
      {figure && (
        <>
          <UplotChart
            figure={figure}
            label={`${chartKindLabels[choice.kind]} of ${choice.kind === 'box' ? choice.y : choice.x}`}
          />
          {figure.kind === 'scatter' && (
            <p className="note" data-testid="chart-points">
              {figure.points.toLocaleString()} points
            </p>
          )}
        </>
      )}
    </section>
  );
}
