import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_SCROLL_HEIGHT,
  contentTopForScroll,
  rowWindow,
  scrollGeometry,
  scrollTopForContent,
} from './row-window.ts';

const base = { rowHeight: 28, viewportHeight: 560 };

describe('row window', () => {
  it('lays a short table out at full height, one row per 28 px', () => {
    const geometry = scrollGeometry({ ...base, rowCount: 1000 });
    expect(geometry.scrollHeight).toBe(28_000);
    expect(contentTopForScroll(280, geometry)).toBe(280);
    expect(rowWindow(280, geometry, 0)).toEqual({ firstRow: 10, rowCount: 20, offset: 0 });
    expect(rowWindow(290, geometry, 0)).toEqual({ firstRow: 10, rowCount: 21, offset: -10 });
  });

  it('compresses 10 million rows into the largest scroll area and still reaches the last row', () => {
    const geometry = scrollGeometry({ ...base, rowCount: 10_000_000 });
    expect(geometry.scrollHeight).toBe(MAX_SCROLL_HEIGHT);
    expect(rowWindow(contentTopForScroll(0, geometry), geometry, 0).firstRow).toBe(0);
    const bottom = rowWindow(contentTopForScroll(MAX_SCROLL_HEIGHT, geometry), geometry, 0);
    expect(bottom).toEqual({ firstRow: 10_000_000 - 20, rowCount: 20, offset: 0 });
  });

  it('maps scroll positions and content positions back and forth', () => {
    const geometry = scrollGeometry({ ...base, rowCount: 10_000_000 });
    fc.assert(
      fc.property(fc.double({ min: 0, max: geometry.maxContentTop, noNaN: true }), (content) => {
        const back = contentTopForScroll(scrollTopForContent(content, geometry), geometry);
        expect(back).toBeCloseTo(content, 3);
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });

  it('always draws the rows that fill the viewport, at their place', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        (rowCount, position, overscan) => {
          const geometry = scrollGeometry({ ...base, rowCount });
          const contentTop = position * geometry.maxContentTop;
          const window = rowWindow(contentTop, geometry, overscan);
          expect(window.firstRow).toBeGreaterThanOrEqual(0);
          expect(window.firstRow + window.rowCount).toBeLessThanOrEqual(rowCount);
          expect(window.offset).toBeLessThanOrEqual(1e-6);
          // The drawn rows reach the viewport's bottom, or the table's end.
          const coveredEnd = window.offset + window.rowCount * 28;
          expect(coveredEnd).toBeGreaterThanOrEqual(Math.min(560, rowCount * 28) - 1e-6);
        },
      ),
      { seed: 20261204, numRuns: 500 },
    );
  });
});
