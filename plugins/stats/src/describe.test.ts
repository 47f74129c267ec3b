/**
 * Checks the statistics against values computed by hand (and by R: `quantile(x, type = 7)`,
 * `sd(x)`), including the columns that break naive code: empty, all missing, one value, no spread.
 */
import { describe, expect, it } from 'vitest';
import { describeColumn, quantileOfSorted, toNumber, zScores } from './describe.ts';

describe('describeColumn', () => {
  it('matches R on a small sample with a missing value', () => {
    const summary = describeColumn([4, 1, null, 3, 2]);
    expect(summary.count).toBe(4);
    expect(summary.nulls).toBe(1);
    expect(summary.mean).toBe(2.5);
    expect(summary.std).toBeCloseTo(1.2909944, 6);
    expect([summary.min, summary.q1, summary.median, summary.q3, summary.max]).toEqual([
      1, 1.75, 2.5, 3.25, 4,
    ]);
  });

  it('reads typed arrays and counts NaN, undefined, strings and infinities as missing', () => {
    const summary = describeColumn([1, Number.NaN, undefined, 'x', Number.POSITIVE_INFINITY, 3]);
    expect(summary).toMatchObject({ count: 2, nulls: 4, mean: 2, min: 1, max: 3 });
    expect(describeColumn(Float64Array.of(10, 20, 30))).toMatchObject({ count: 3, median: 20 });
  });

  it('converts bigints from 64-bit integer columns', () => {
    expect(describeColumn([1n, 2n, 3n])).toMatchObject({ count: 3, mean: 2 });
  });

  it('gives nulls, not NaN, for an empty or all-missing column', () => {
    for (const values of [[], [null, null]]) {
      const summary = describeColumn(values);
      expect(summary).toEqual({
        count: 0,
        nulls: values.length,
        mean: null,
        std: null,
        min: null,
        q1: null,
        median: null,
        q3: null,
        max: null,
      });
    }
  });

  it('has no std for one value', () => {
    expect(describeColumn([7])).toMatchObject({ count: 1, mean: 7, std: null, q1: 7, q3: 7 });
  });

  it('sorts numerically, not as text', () => {
    expect(describeColumn([10, 9, 100])).toMatchObject({ min: 9, median: 10, max: 100 });
  });
});

describe('quantileOfSorted', () => {
  it('interpolates between order statistics', () => {
    expect(quantileOfSorted([0, 10], 0.3)).toBeCloseTo(3);
    expect(quantileOfSorted([5], 0.75)).toBe(5);
  });
});

describe('zScores', () => {
  it('standardises row for row and keeps missing cells null', () => {
    const values = [1, null, 2, 3];
    expect(zScores(values, describeColumn(values))).toEqual([-1, null, 0, 1]);
  });

  it('is null everywhere for a column without spread, rather than dividing by zero', () => {
    const values = [5, 5, 5];
    expect(zScores(values, describeColumn(values))).toEqual([null, null, null]);
  });

  it('has the column length, so the host can join it to the table', () => {
    const values = new Float64Array(100_000).map((_, index) => index % 7);
    expect(zScores(values, describeColumn(values))).toHaveLength(100_000);
  });
});

describe('toNumber', () => {
  it('accepts finite numbers only', () => {
    expect([toNumber(0), toNumber(-1.5), toNumber('2'), toNumber(true), toNumber(null)]).toEqual([
      0,
      -1.5,
      null,
      null,
      null,
    ]);
  });
});
