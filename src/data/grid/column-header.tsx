/**
 * One column's header in the grid: its name (a button that sorts), a badge naming the plugin that
 * added it when a plugin did, its type (a menu to change it where the file's format allows), and
 * a summary of its values: a small histogram with the range for numbers and dates, the most
 * frequent value and the number of distinct ones otherwise, and the count of empty cells.
 */
import { LOGICAL_TYPES } from '../../../workers/engine/columns/column-data.ts';
import type {
  ColumnSchema,
  ColumnStats,
  LogicalType,
  SortKey,
} from '../../../workers/engine/protocol.ts';
import { usePluginName } from '../../plugins/index.ts';
import { formatCell } from './format-cell.ts';

export const typeLabels: Record<LogicalType, string> = {
  int: 'Integer',
  float: 'Decimal',
  bool: 'Boolean',
  date: 'Date',
  datetime: 'Date and time',
  string: 'Text',
  category: 'Category',
};

interface ColumnHeaderProps {
  readonly column: ColumnSchema;
  readonly stats: ColumnStats | undefined;
  readonly sort: SortKey | undefined;
  /** Position among several sort keys, when there are several. */
  readonly sortRank: number | undefined;
  readonly colIndex: number;
  readonly left: number;
  readonly width: number;
  readonly onSort: ((additive: boolean) => void) | undefined;
  readonly onRetype: ((type: LogicalType) => void) | undefined;
}

function Summary({ stats, type }: { stats: ColumnStats; type: LogicalType }) {
  const empty = stats.nullCount > 0 ? `${stats.nullCount.toLocaleString()} empty` : null;
  if (stats.numeric) {
    const { histogram, min, max } = stats.numeric;
    const tallest = Math.max(1, ...histogram.counts);
    return (
      <>
        <div className="spark" aria-hidden="true">
          {histogram.counts.map((count, index) => (
            <span
              key={index}
              className="spark-bar"
              style={{ height: `${String(Math.max(count > 0 ? 8 : 0, (count / tallest) * 100))}%` }}
            />
          ))}
        </div>
        <p className="grid-summary">
          {formatCell(min, type)} – {formatCell(max, type)}
          {empty && <span className="grid-empty-count"> · {empty}</span>}
        </p>
      </>
    );
  }
  const top = stats.topValues?.[0];
  return (
    <p className="grid-summary">
      {stats.distinctCount !== undefined && `${stats.distinctCount.toLocaleString()} distinct`}
      {top && (
        <>
          {' · top '}
          <span className="grid-top-value">{String(top.value)}</span>
        </>
      )}
      {empty && <span className="grid-empty-count"> · {empty}</span>}
    </p>
  );
}

export function ColumnHeader({
  column,
  stats,
  sort,
  sortRank,
  colIndex,
  left,
  width,
  onSort,
  onRetype,
}: ColumnHeaderProps) {
  const pluginName = usePluginName(column.source?.plugin);
  const ariaSort = sort ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
  const arrow = sort ? (sort.direction === 'asc' ? '▲' : '▼') : '';
  return (
    <div
      role="columnheader"
      aria-colindex={colIndex}
      aria-sort={ariaSort}
      className="grid-column-header"
      style={{ left, width }}
    >
      <div className="grid-column-title">
        {onSort ? (
          <button
            type="button"
            className="grid-sort"
            aria-label={`Sort by ${column.name}`}
            title="Sort by this column (shift-click to add it to the sort)"
            onClick={(event) => onSort(event.shiftKey)}
          >
            <span className="grid-column-name">{column.name}</span>
            {arrow && (
              <span className="grid-sort-arrow" aria-hidden="true">
                {arrow}
                {sortRank}
              </span>
            )}
          </button>
        ) : (
          <span className="grid-column-name">{column.name}</span>
        )}
        {pluginName && (
          <span className="badge badge-plugin" title={`Added by the plugin ${pluginName}`}>
            {pluginName}
          </span>
        )}
      </div>
      {onRetype ? (
        <select
          className="grid-type"
          aria-label={`Type of ${column.name}`}
          value={column.type}
          onChange={(event) => onRetype(event.target.value as LogicalType)}
        >
          {LOGICAL_TYPES.map((type) => (
            <option key={type} value={type}>
              {typeLabels[type]}
            </option>
          ))}
        </select>
      ) : (
        <span className="grid-type badge badge-neutral">{typeLabels[column.type]}</span>
      )}
      {stats ? <Summary stats={stats} type={column.type} /> : <p className="grid-summary">…</p>}
    </div>
  );
}
