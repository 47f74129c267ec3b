/**
 * The statistics plugin's pure core: descriptive statistics of one column and its standard
 * scores. No SDK here, so it is tested in Node on plain arrays; the worker only moves data.
 */

/** Descriptive statistics of one numeric column; every value but the counts is null when no value is present. */
export interface ColumnSummary {
  /** Values present (not null, not NaN). */
  readonly count: number;
  readonly nulls: number;
  readonly mean: number | null;
  /** Sample standard deviation (n − 1); null below two values. */
  readonly std: number | null;
  readonly min: number | null;
  readonly q1: number | null;
  readonly median: number | null;
  readonly q3: number | null;
  readonly max: number | null;
}

/**
 * A cell as a number, or null when it holds none: null, undefined, NaN, ±Infinity and
 * non-numbers all count as missing (bigints from 64-bit integer columns are converted).
 *
 * @example
 * toNumber(3n); // 3
 * toNumber(Number.NaN); // null
 */
export function toNumber(value: unknown): number | null {
  const number = typeof value === 'bigint' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
}

/**
 * Count, nulls, mean, sample std, min, quartiles and max of a column. Quartiles interpolate
 * linearly between order statistics (R's type 7, NumPy's default), so they match what a
 * scientist checks them against.
 *
 * @example
 * describeColumn([1, 2, 3, 4, null]);
 * // { count: 4, nulls: 1, mean: 2.5, std: 1.29…, min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4 }
 */
export function describeColumn(values: ArrayLike<unknown>): ColumnSummary {
  const present = new Float64Array(values.length);
  let count = 0;
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) {
    const number = toNumber(values[index]);
    if (number === null) continue;
    present[count] = number;
    count += 1;
    sum += number;
  }
  const nulls = values.length - count;
  if (count === 0) {
    return {
      count,
      nulls,
      mean: null,
      std: null,
      min: null,
      q1: null,
      median: null,
      q3: null,
      max: null,
    };
  }
  const sorted = present.subarray(0, count).sort();
  const mean = sum / count;
  let squares = 0;
  for (const number of sorted) squares += (number - mean) ** 2;
  return {
    count,
    nulls,
    mean,
    std: count > 1 ? Math.sqrt(squares / (count - 1)) : null,
    min: sorted[0] as number,
    q1: quantileOfSorted(sorted, 0.25),
    median: quantileOfSorted(sorted, 0.5),
    q3: quantileOfSorted(sorted, 0.75),
    max: sorted[count - 1] as number,
  };
}

/**
 * The `p` quantile (0 ≤ p ≤ 1) of ascending values, interpolating linearly (type 7).
 *
 * @example
 * quantileOfSorted(Float64Array.of(1, 2, 3, 4), 0.25); // 1.75
 */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const lower = sorted[below] as number;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return lower + (upper - lower) * (position - below);
}

/**
 * The standard score of every cell, `(x − mean) / std`, row for row; null where the cell is
 * missing or the column has no spread (std null or 0), so the result has the column's length.
 *
 * @example
 * zScores([1, 2, 3], describeColumn([1, 2, 3])); // [-1, 0, 1]
 */
export function zScores(values: ArrayLike<unknown>, summary: ColumnSummary): (number | null)[] {
  const { mean, std } = summary;
  const scores = new Array<number | null>(values.length);
  for (let index = 0; index < values.length; index += 1) {
    const number = toNumber(values[index]);
    scores[index] = number === null || mean === null || !std ? null : (number - mean) / std;
  }
  return scores;
}
