/**
 * The grid's row selection: positions of rows in the view the grid shows, chosen by clicking a
 * row's number (again to clear) and shift-clicking for a range from the last clicked row. A range
 * keeps at most 100 000 rows, as many as a plugin may be sent.
 */

/** Selected row positions of one view. */
export interface RowSelection {
  readonly viewId: string;
  readonly rows: readonly number[];
}

export interface SelectionState extends RowSelection {
  /** Where a shift-click range starts. */
  readonly anchor: number | null;
}

export const MAX_SELECTED_ROWS = 100_000;

/**
 * @example
 * const one = nextSelection(empty, 'v1', 4, false); // rows [4], anchor 4
 * nextSelection(one, 'v1', 6, true).rows; // [4, 5, 6]
 */
export function nextSelection(
  current: SelectionState,
  viewId: string,
  row: number,
  extend: boolean,
): SelectionState {
  const same = current.viewId === viewId;
  if (extend && same && current.anchor !== null) {
    const from = Math.min(current.anchor, row);
    const length = Math.min(Math.max(current.anchor, row) - from + 1, MAX_SELECTED_ROWS);
    return { viewId, rows: Array.from({ length }, (_, i) => from + i), anchor: current.anchor };
  }
  if (same && current.rows.length === 1 && current.rows[0] === row) {
    return { viewId, rows: [], anchor: null };
  }
  return { viewId, rows: [row], anchor: row };
}
