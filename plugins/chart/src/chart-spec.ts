/**
 * The chart plugin's pure core: turns the columns the user picked into a small Vega-Lite spec.
 * A table may have millions of rows, but the chart travels to the frame as SVG text (the runtime
 * takes at most 1 MiB per message) and must stay readable, so the data is reduced here first:
 * histograms, bars and lines are aggregated over every row, scatter plots show a fixed-seed
 * random sample of at most `MAX_POINTS` rows. The spec carries only the reduced rows, under
 * neutral field names (`x`, `y`, …) so column names with dots or brackets cannot be read as
 * Vega field paths.
 */
import type { TopLevelSpec } from 'vega-lite';

export type ChartMark = 'point' | 'bar' | 'line' | 'histogram';

/** How a column is drawn: numbers on a linear scale, times on a time scale, anything else as categories. */
export type ColumnKind = 'quantitative' | 'temporal' | 'nominal';

export interface ChartColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly values: ArrayLike<unknown>;
}

export interface ChartSpecOptions {
  readonly mark: ChartMark;
  readonly x: ChartColumn;
  /** Ignored by histograms; bars and lines without it count rows. */
  readonly y?: ChartColumn | null;
  readonly width?: number;
  readonly height?: number;
}

export interface ChartSpec {
  readonly spec: TopLevelSpec;
  /** One line for the panel saying how the rows were reduced. */
  readonly note: string;
}

export const MAX_POINTS = 2_000;
export const HISTOGRAM_BINS = 40;
export const BAR_BINS = 30;
export const MAX_CATEGORIES = 40;
export const LINE_BINS = 400;

/**
 * The logical type of an engine column as a chart kind.
 *
 * @example
 * columnKind('float'); // 'quantitative'
 * columnKind('category'); // 'nominal'
 */
export function columnKind(engineType: string): ColumnKind {
  if (['int', 'float', 'integer', 'double', 'number'].includes(engineType)) return 'quantitative';
  if (['date', 'timestamp', 'datetime'].includes(engineType)) return 'temporal';
  return 'nominal';
}

/**
 * A Vega-Lite spec for `options`, with the data already reduced.
 *
 * @example
 * const { spec, note } = buildChartSpec({
 *   mark: 'histogram',
 *   x: { name: 'height', kind: 'quantitative', values: heights },
 * });
 */
export function buildChartSpec(options: ChartSpecOptions): ChartSpec {
  const rowCount = options.x.values.length;
  const reduced = reduce(options);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: options.width ?? 560,
    height: options.height ?? 320,
    background: 'white',
    data: { values: reduced.values },
    ...reduced.layer,
  } as TopLevelSpec;
  const note = `${reduced.note} (${rowCount.toLocaleString('en')} rows in the table).`;
  return { spec, note: note.charAt(0).toUpperCase() + note.slice(1) };
}

interface Reduction {
  readonly values: Record<string, unknown>[];
  readonly layer: Record<string, unknown>;
  readonly note: string;
}

function reduce(options: ChartSpecOptions): Reduction {
  const { mark, x } = options;
  const y = options.y ?? null;
  if (mark === 'histogram') return histogram(x);
  if (mark === 'point') return scatter(x, y);
  return summarise(mark, x, y);
}

function histogram(x: ChartColumn): Reduction {
  if (x.kind === 'nominal') {
    const { values, note } = countByCategory(x.values, null);
    return {
      values,
      note: `Counts per ${x.name}; ${note}`,
      layer: {
        mark: { type: 'bar', tooltip: false },
        encoding: {
          x: { field: 'x', type: 'nominal', title: x.name, sort: '-y' },
          y: { field: 'y', type: 'quantitative', title: 'count' },
        },
      },
    };
  }
  const bins = binIndex(x.values, HISTOGRAM_BINS);
  const counts = new Array<number>(bins.edges.length - 1).fill(0);
  for (const bin of bins.index) if (bin >= 0) counts[bin] = (counts[bin] as number) + 1;
  return {
    values: counts.map((count, bin) => ({ x: bins.edges[bin], x2: bins.edges[bin + 1], y: count })),
    note: `Counts of ${x.name} in ${counts.length} bins over all ${bins.present.toLocaleString('en')} values`,
    layer: {
      mark: { type: 'bar', tooltip: false },
      encoding: {
        x: { field: 'x', type: x.kind, bin: { binned: true }, title: x.name },
        x2: { field: 'x2' },
        y: { field: 'y', type: 'quantitative', title: 'count' },
      },
    },
  };
}

function scatter(x: ChartColumn, y: ChartColumn | null): Reduction {
  const yColumn = y ?? x;
  const complete: number[] = [];
  for (let row = 0; row < x.values.length; row += 1) {
    if (cell(x, row) !== null && cell(yColumn, row) !== null) complete.push(row);
  }
  const rows = complete.length > MAX_POINTS ? sample(complete, MAX_POINTS) : complete;
  return {
    values: rows.map((row) => ({ x: cell(x, row), y: cell(yColumn, row) })),
    note:
      rows.length < complete.length
        ? `A random sample of ${rows.length.toLocaleString('en')} of ${complete.length.toLocaleString('en')} points`
        : `All ${rows.length.toLocaleString('en')} points`,
    layer: {
      mark: { type: 'point', filled: true, opacity: rows.length > 500 ? 0.4 : 0.8, size: 16 },
      encoding: {
        x: { field: 'x', type: x.kind, title: x.name, scale: { zero: false } },
        y: { field: 'y', type: yColumn.kind, title: yColumn.name, scale: { zero: false } },
      },
    },
  };
}

/** Bars and lines: the mean of y (or the row count) per category, or per bin of a numeric x. */
function summarise(mark: 'bar' | 'line', x: ChartColumn, y: ChartColumn | null): Reduction {
  const yNumeric = y !== null && y.kind === 'quantitative' ? y : null;
  const yTitle = yNumeric ? `mean of ${yNumeric.name}` : 'count';
  if (x.kind === 'nominal') {
    const { values, note } = countByCategory(x.values, yNumeric?.values ?? null);
    return {
      values,
      note: `${yTitle} per ${x.name}; ${note}`,
      layer: {
        mark: { type: mark, tooltip: false, ...(mark === 'line' ? { point: true } : {}) },
        encoding: {
          x: {
            field: 'x',
            type: 'nominal',
            title: x.name,
            sort: mark === 'bar' ? '-y' : 'ascending',
          },
          y: { field: 'y', type: 'quantitative', title: yTitle },
        },
      },
    };
  }
  const bins = binIndex(x.values, mark === 'bar' ? BAR_BINS : LINE_BINS);
  const binCount = bins.edges.length - 1;
  const sums = new Float64Array(binCount);
  const counts = new Float64Array(binCount);
  for (let row = 0; row < bins.index.length; row += 1) {
    const bin = bins.index[row] as number;
    if (bin < 0) continue;
    const value = yNumeric ? numeric(yNumeric.values[row]) : 1;
    if (value === null) continue;
    sums[bin] = (sums[bin] as number) + value;
    counts[bin] = (counts[bin] as number) + 1;
  }
  const values: Record<string, unknown>[] = [];
  for (let bin = 0; bin < binCount; bin += 1) {
    const count = counts[bin] as number;
    if (count === 0 && mark === 'line') continue;
    const start = bins.edges[bin] as number;
    const end = bins.edges[bin + 1] as number;
    const y = yNumeric ? (count === 0 ? null : (sums[bin] as number) / count) : count;
    values.push(mark === 'bar' ? { x: start, x2: end, y } : { x: (start + end) / 2, y });
  }
  return {
    values,
    note: `${yTitle} in ${binCount} bins of ${x.name} over all rows`,
    layer:
      mark === 'bar'
        ? {
            mark: { type: 'bar', tooltip: false },
            encoding: {
              x: { field: 'x', type: x.kind, bin: { binned: true }, title: x.name },
              x2: { field: 'x2' },
              y: { field: 'y', type: 'quantitative', title: yTitle },
            },
          }
        : {
            mark: { type: 'line', tooltip: false },
            encoding: {
              x: { field: 'x', type: x.kind, title: x.name, scale: { zero: false } },
              y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } },
            },
          },
  };
}

/** Rows per category (or the mean of `yValues` per category), the most frequent `MAX_CATEGORIES`. */
function countByCategory(
  xValues: ArrayLike<unknown>,
  yValues: ArrayLike<unknown> | null,
): { values: Record<string, unknown>[]; note: string } {
  const groups = new Map<string, { rows: number; sum: number; present: number }>();
  for (let row = 0; row < xValues.length; row += 1) {
    const raw = xValues[row];
    if (raw === null || raw === undefined) continue;
    const key = String(raw);
    const group = groups.get(key) ?? { rows: 0, sum: 0, present: 0 };
    group.rows += 1;
    const y = yValues ? numeric(yValues[row]) : null;
    if (y !== null) {
      group.sum += y;
      group.present += 1;
    }
    groups.set(key, group);
  }
  const top = [...groups.entries()]
    .sort((a, b) => b[1].rows - a[1].rows || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_CATEGORIES);
  return {
    values: top.map(([key, group]) => ({
      x: key,
      y: yValues ? (group.present === 0 ? null : group.sum / group.present) : group.rows,
    })),
    note:
      groups.size > MAX_CATEGORIES
        ? `the ${MAX_CATEGORIES} most frequent of ${groups.size.toLocaleString('en')} categories`
        : `all ${groups.size.toLocaleString('en')} categories`,
  };
}

/** Equal-width bins over [min, max] of the present values; `index[row]` is −1 for a missing cell. */
function binIndex(
  values: ArrayLike<unknown>,
  maxBins: number,
): { edges: number[]; index: Int32Array; present: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const numbers = new Float64Array(values.length);
  for (let row = 0; row < values.length; row += 1) {
    const value = numeric(values[row]) ?? Number.NaN;
    numbers[row] = value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const index = new Int32Array(values.length).fill(-1);
  if (min > max) return { edges: [], index, present: 0 };
  const binCount = min === max ? 1 : maxBins;
  const width = min === max ? 1 : (max - min) / binCount;
  const edges = Array.from({ length: binCount + 1 }, (_, edge) => min + edge * width);
  let present = 0;
  for (let row = 0; row < numbers.length; row += 1) {
    const value = numbers[row] as number;
    if (Number.isNaN(value)) continue;
    index[row] = Math.min(binCount - 1, Math.floor((value - min) / width));
    present += 1;
  }
  return { edges, index, present };
}

function cell(column: ChartColumn, row: number): number | string | null {
  const raw = column.values[row];
  if (column.kind === 'nominal') return raw === null || raw === undefined ? null : String(raw);
  return numeric(raw);
}

/** A number, a 64-bit integer or a date (as epoch milliseconds); null for anything else. */
function numeric(raw: unknown): number | null {
  const value = typeof raw === 'bigint' ? Number(raw) : raw instanceof Date ? raw.getTime() : raw;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** `size` items of `items` in their original order, chosen by a fixed-seed shuffle (same chart every time). */
function sample(items: readonly number[], size: number): number[] {
  const pool = items.slice();
  let seed = 0x9e3779b9;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let index = 0; index < size; index += 1) {
    const pick = index + Math.floor(random() * (pool.length - index));
    [pool[index], pool[pick]] = [pool[pick] as number, pool[index] as number];
  }
  return pool.slice(0, size).sort((a, b) => a - b);
}
