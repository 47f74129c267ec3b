/**
 * Which rows of a very long table a scrolled grid shows, and where. Browsers cap an element's
 * height (Chromium near 33.5 million pixels), so 10 million rows of 28 px cannot be laid out at
 * full height. Past `maxScrollHeight` the scroll bar's range is compressed: a drag of the bar
 * maps to the content proportionally, while the wheel and keys move the content by real pixels
 * (the grid keeps the content position itself), so scrolling stays smooth at any length.
 * TanStack Virtual assumes uncompressed positions (TanStack/virtual#616); with a fixed row height
 * the window is plain arithmetic, so it lives here.
 */

export interface ScrollGeometryOptions {
  readonly rowCount: number;
  readonly rowHeight: number;
  /** Height of the visible rows area. */
  readonly viewportHeight: number;
  /** Tallest scroll area laid out; compression starts past it. */
  readonly maxScrollHeight?: number;
}

export interface ScrollGeometry {
  /** Height of the laid-out scroll area. */
  readonly scrollHeight: number;
  /** Largest scroll position of the scroll area. */
  readonly maxScrollTop: number;
  /** Largest content position: the last row at the bottom of the viewport. */
  readonly maxContentTop: number;
  readonly rowHeight: number;
  readonly rowCount: number;
  readonly viewportHeight: number;
}

export interface RowWindow {
  /** First row drawn (overscan included). */
  readonly firstRow: number;
  /** Rows drawn. */
  readonly rowCount: number;
  /** Where the first drawn row's top goes, relative to the viewport's top (≤ 0). */
  readonly offset: number;
}

export const MAX_SCROLL_HEIGHT = 10_000_000;

/**
 * The scroll area for a table.
 *
 * @example
 * scrollGeometry({ rowCount: 10_000_000, rowHeight: 28, viewportHeight: 560 }).scrollHeight; // 10000000
 */
export function scrollGeometry(options: ScrollGeometryOptions): ScrollGeometry {
  const { rowCount, rowHeight, viewportHeight } = options;
  const fullHeight = rowCount * rowHeight;
  const scrollHeight = Math.min(fullHeight, options.maxScrollHeight ?? MAX_SCROLL_HEIGHT);
  return {
    scrollHeight,
    maxScrollTop: Math.max(0, scrollHeight - viewportHeight),
    maxContentTop: Math.max(0, fullHeight - viewportHeight),
    rowHeight,
    rowCount,
    viewportHeight,
  };
}

/** Keeps a content position inside the content. */
export function clampContentTop(contentTop: number, geometry: ScrollGeometry): number {
  return Math.min(Math.max(0, contentTop), geometry.maxContentTop);
}

/**
 * The content position a scroll bar position stands for.
 *
 * @example
 * contentTopForScroll(element.scrollTop, geometry);
 */
export function contentTopForScroll(scrollTop: number, geometry: ScrollGeometry): number {
  if (geometry.maxScrollTop === 0) return 0;
  const fraction = Math.min(Math.max(0, scrollTop), geometry.maxScrollTop) / geometry.maxScrollTop;
  return fraction * geometry.maxContentTop;
}

/**
 * The scroll bar position that stands for a content position.
 *
 * @example
 * element.scrollTop = scrollTopForContent(contentTop, geometry);
 */
export function scrollTopForContent(contentTop: number, geometry: ScrollGeometry): number {
  if (geometry.maxContentTop === 0) return 0;
  return (clampContentTop(contentTop, geometry) / geometry.maxContentTop) * geometry.maxScrollTop;
}

/**
 * The rows to draw at a content position.
 *
 * @example
 * rowWindow(0, geometry); // { firstRow: 0, rowCount: 30, offset: 0 }
 */
export function rowWindow(contentTop: number, geometry: ScrollGeometry, overscan = 10): RowWindow {
  const { rowHeight, rowCount, viewportHeight } = geometry;
  const top = clampContentTop(contentTop, geometry);
  const firstRow = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const lastRow = Math.min(rowCount, Math.ceil((top + viewportHeight) / rowHeight) + overscan);
  return {
    firstRow,
    rowCount: Math.max(0, lastRow - firstRow),
    offset: firstRow * rowHeight - top,
  };
}
