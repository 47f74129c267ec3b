/** Clicks and shift-clicks on row numbers. */
import { describe, expect, it } from 'vitest';
import { MAX_SELECTED_ROWS, nextSelection, type SelectionState } from './row-selection.ts';

const empty: SelectionState = { viewId: '', rows: [], anchor: null };

describe('nextSelection', () => {
  it('selects one row, and clears it on a second click', () => {
    const one = nextSelection(empty, 'v1', 4, false);
    expect(one).toEqual({ viewId: 'v1', rows: [4], anchor: 4 });
    expect(nextSelection(one, 'v1', 4, false)).toEqual({ viewId: 'v1', rows: [], anchor: null });
  });

  it('extends a range from the anchor either way', () => {
    const one = nextSelection(empty, 'v1', 4, false);
    expect(nextSelection(one, 'v1', 6, true).rows).toEqual([4, 5, 6]);
    expect(nextSelection(one, 'v1', 2, true).rows).toEqual([2, 3, 4]);
  });

  it('starts over in another view, even on shift-click', () => {
    const one = nextSelection(empty, 'v1', 4, false);
    expect(nextSelection(one, 'v2', 9, true)).toEqual({ viewId: 'v2', rows: [9], anchor: 9 });
  });

  it('keeps a huge range to the rows a plugin may be sent', () => {
    const one = nextSelection(empty, 'v1', 0, false);
    expect(nextSelection(one, 'v1', 5_000_000, true).rows).toHaveLength(MAX_SELECTED_ROWS);
  });
});
