/**
 * The virtualised grid over an engine table or view: only the rows and columns on screen are in
 * the DOM, rows arrive from the worker in blocks of 256, and a table of any length scrolls
 * smoothly (see `row-window.ts` for the compressed scroll bar). Columns are virtualised with
 * TanStack Virtual. Each header shows the column's type and a summary of its values; clicking a
 * name sorts (shift-click adds a key).
 */
import { useQueries } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { valueAt, type ColumnTable } from '../../../workers/engine/columns/column-data.ts';
import type {
  ColumnSchema,
  ColumnStats,
  LogicalType,
  SortKey,
} from '../../../workers/engine/protocol.ts';
import { decodeArrow } from '../../engine/decode-arrow.ts';
import { engine } from '../../engine/engine-client.ts';
import { engineQueryKeys } from '../../engine/engine-query-keys.ts';
import { ROW_BLOCK } from '../../engine/use-row-block.ts';
import { ColumnHeader } from './column-header.tsx';
import { formatCell } from './format-cell.ts';
import {
  clampContentTop,
  contentTopForScroll,
  rowWindow,
  scrollGeometry,
  scrollTopForContent,
} from './row-window.ts';

const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 92;
const INDEX_WIDTH = 88;

const widthByType: Record<LogicalType, number> = {
  int: 120,
  float: 140,
  bool: 96,
  date: 128,
  datetime: 200,
  string: 220,
  category: 170,
};

export interface DataGridProps {
  /** The engine table or view shown. */
  readonly sourceId: string;
  readonly rowCount: number;
  readonly columns: readonly ColumnSchema[];
  readonly stats?: readonly ColumnStats[];
  readonly sort: readonly SortKey[];
  readonly onSortChange?: (sort: SortKey[]) => void;
  /** Offered in each header when the column's type may be changed. */
  readonly onRetype?: (column: string, type: LogicalType) => void;
  /** Names the grid for assistive technology. */
  readonly label: string;
  /** Row positions (in this view) that are selected. */
  readonly selectedRows?: ReadonlySet<number>;
  /** Offered as a button on each row's number: a click selects it, shift-click a range. */
  readonly onRowClick?: (row: number, extend: boolean) => void;
}

/** The next sort when a header's name is clicked: asc, then desc, then off. */
function nextSort(sort: readonly SortKey[], column: string, additive: boolean): SortKey[] {
  const existing = sort.find((key) => key.column === column);
  const others = additive ? sort.filter((key) => key.column !== column) : [];
  if (!existing) return [...others, { column, direction: 'asc' }];
  if (existing.direction === 'asc') {
    return additive
      ? sort.map((key) => (key.column === column ? { column, direction: 'desc' } : key))
      : [{ column, direction: 'desc' }];
  }
  return others;
}

function useViewportHeight(element: HTMLDivElement | null): number {
  const [height, setHeight] = useState(480);
  useLayoutEffect(() => {
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setHeight(Math.max(ROW_HEIGHT, entry.contentRect.height - HEADER_HEIGHT));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return height;
}

export function DataGrid({
  sourceId,
  rowCount,
  columns,
  stats,
  sort,
  onSortChange,
  onRetype,
  label,
  selectedRows,
  onRowClick,
}: DataGridProps) {
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
  const viewportHeight = useViewportHeight(scroller);
  const geometry = scrollGeometry({ rowCount, rowHeight: ROW_HEIGHT, viewportHeight });
  const [contentTop, setContentTop] = useState(0);
  // The scroll position this component set last, to tell its own scrolls from the user's drags.
  const ownScrollTop = useRef<number | null>(null);

  useEffect(() => {
    setContentTop(0);
    if (scroller) scroller.scrollTop = 0;
  }, [sourceId, scroller]);

  const moveTo = useCallback(
    (next: number) => {
      if (!scroller) return;
      const clamped = clampContentTop(next, geometry);
      setContentTop(clamped);
      const scrollTop = scrollTopForContent(clamped, geometry);
      ownScrollTop.current = scrollTop;
      scroller.scrollTop = scrollTop;
    },
    [scroller, geometry],
  );

  // The wheel moves the content by real pixels even when the scroll bar is compressed.
  useEffect(() => {
    if (!scroller) return;
    const onWheel = (event: WheelEvent) => {
      if (event.ctrlKey) return;
      const unit = event.deltaMode === 1 ? ROW_HEIGHT : event.deltaMode === 2 ? viewportHeight : 1;
      if (event.deltaY !== 0) {
        event.preventDefault();
        moveTo(contentTop + event.deltaY * unit);
      }
    };
    scroller.addEventListener('wheel', onWheel, { passive: false });
    return () => scroller.removeEventListener('wheel', onWheel);
  }, [scroller, moveTo, contentTop, viewportHeight]);

  const onScroll = () => {
    if (!scroller) return;
    const own = ownScrollTop.current;
    if (own !== null && Math.abs(scroller.scrollTop - own) < 1.5) return;
    ownScrollTop.current = null;
    setContentTop(contentTopForScroll(scroller.scrollTop, geometry));
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const steps: Record<string, number> = {
      ArrowDown: ROW_HEIGHT,
      ArrowUp: -ROW_HEIGHT,
      PageDown: viewportHeight - ROW_HEIGHT,
      PageUp: -(viewportHeight - ROW_HEIGHT),
    };
    if (event.key === 'Home' && event.ctrlKey) moveTo(0);
    else if (event.key === 'End' && event.ctrlKey) moveTo(geometry.maxContentTop);
    else if (event.key in steps) moveTo(contentTop + (steps[event.key] ?? 0));
    else return;
    event.preventDefault();
  };

  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scroller,
    estimateSize: (index) => widthByType[columns[index]?.type ?? 'string'],
    overscan: 3,
    paddingStart: INDEX_WIDTH,
  });
  const virtualColumns = columnVirtualizer.getVirtualItems();
  const totalWidth = columnVirtualizer.getTotalSize();

  const window = rowWindow(contentTop, geometry, 8);
  const firstBlock = Math.floor(window.firstRow / ROW_BLOCK);
  const lastBlock = Math.floor(Math.max(0, window.firstRow + window.rowCount - 1) / ROW_BLOCK);
  const blockNumbers = window.rowCount === 0 ? [] : range(firstBlock, lastBlock + 1);
  const blocks = useQueries({
    queries: blockNumbers.map((block) => ({
      queryKey: engineQueryKeys.rows(sourceId, block),
      queryFn: async () => decodeArrow(await engine().rows(sourceId, block * ROW_BLOCK, ROW_BLOCK)),
      staleTime: Infinity,
      gcTime: 30_000,
    })),
  });
  const blockFor = (row: number): ColumnTable | undefined =>
    blocks[Math.floor(row / ROW_BLOCK) - firstBlock]?.data;
  const failed = blocks.find((block) => block.isError)?.error;

  const statsOf = (name: string) => stats?.find((entry) => entry.column === name);
  const sortOf = (name: string) => sort.find((key) => key.column === name);

  const rows: ReactNode[] = [];
  for (let i = 0; i < window.rowCount; i++) {
    const row = window.firstRow + i;
    const block = blockFor(row);
    const inBlock = row - Math.floor(row / ROW_BLOCK) * ROW_BLOCK;
    const selected = selectedRows?.has(row) ?? false;
    rows.push(
      <div
        key={row}
        role="row"
        aria-rowindex={row + 2}
        {...(onRowClick ? { 'aria-selected': selected } : {})}
        className={selected ? 'grid-row grid-row-selected' : 'grid-row'}
        style={{ transform: `translateY(${String(window.offset + i * ROW_HEIGHT)}px)` }}
      >
        <div role="rowheader" className="grid-index" style={{ width: INDEX_WIDTH }}>
          {onRowClick ? (
            <button
              type="button"
              className="grid-row-select"
              aria-pressed={selected}
              title="Select this row (shift-click selects a range)"
              onClick={(event) => onRowClick(row, event.shiftKey)}
            >
              {(row + 1).toLocaleString()}
            </button>
          ) : (
            (row + 1).toLocaleString()
          )}
        </div>
        {virtualColumns.map((virtual) => {
          const column = columns[virtual.index];
          if (!column) return null;
          const data = block?.columns.find((candidate) => candidate.name === column.name)?.data;
          const value = data && inBlock < data.length ? valueAt(data, inBlock) : undefined;
          return (
            <div
              key={column.name}
              role="gridcell"
              aria-colindex={virtual.index + 2}
              className={`grid-cell grid-cell-${column.type}${value === null ? ' grid-null' : ''}`}
              style={{ left: virtual.start, width: virtual.size }}
            >
              {value === undefined ? '' : value === null ? '' : formatCell(value, column.type)}
            </div>
          );
        })}
      </div>,
    );
  }

  return (
    <div className="grid-frame">
      {failed !== undefined && (
        <p className="note note-error" role="alert">
          Some rows could not be shown: {failed instanceof Error ? failed.message : String(failed)}
        </p>
      )}
      <div
        ref={setScroller}
        className="grid-scroll"
        role="grid"
        aria-label={label}
        aria-rowcount={rowCount + 1}
        aria-colcount={columns.length + 1}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
      >
        <div
          className="grid-canvas"
          style={{ height: geometry.scrollHeight + HEADER_HEIGHT, width: totalWidth }}
        >
          <div
            role="row"
            aria-rowindex={1}
            className="grid-header"
            style={{ height: HEADER_HEIGHT, width: totalWidth }}
          >
            <div
              role="columnheader"
              className="grid-index grid-corner"
              style={{ width: INDEX_WIDTH }}
            >
              #
            </div>
            {virtualColumns.map((virtual) => {
              const column = columns[virtual.index];
              if (!column) return null;
              const columnSort = sortOf(column.name);
              return (
                <ColumnHeader
                  key={column.name}
                  column={column}
                  stats={statsOf(column.name)}
                  sort={columnSort}
                  sortRank={
                    columnSort && sort.length > 1 ? sort.indexOf(columnSort) + 1 : undefined
                  }
                  colIndex={virtual.index + 2}
                  left={virtual.start}
                  width={virtual.size}
                  onSort={
                    onSortChange
                      ? (additive) => onSortChange(nextSort(sort, column.name, additive))
                      : undefined
                  }
                  onRetype={onRetype ? (type) => onRetype(column.name, type) : undefined}
                />
              );
            })}
          </div>
          <div
            className="grid-body"
            style={{ top: HEADER_HEIGHT, height: viewportHeight, width: totalWidth }}
          >
            {rows}
          </div>
        </div>
      </div>
    </div>
  );
}

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}
