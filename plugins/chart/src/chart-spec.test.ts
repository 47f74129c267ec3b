/**
 * The chart's data reduction and its rendering with the real Vega: big tables must become small
 * specs (and small SVG), and the rendering must not depend on `Function` (see render-svg.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  BAR_BINS,
  buildChartSpec,
  columnKind,
  HISTOGRAM_BINS,
  MAX_CATEGORIES,
  MAX_POINTS,
  type ChartColumn,
} from './chart-spec.ts';
import { renderSvg } from './render-svg.ts';

const rowCount = 100_000;
const height: ChartColumn = {
  name: 'height.cm',
  kind: 'quantitative',
  values: Float64Array.from({ length: rowCount }, (_, row) => 150 + (row % 50)),
};
const weight: ChartColumn = {
  name: 'weight',
  kind: 'quantitative',
  values: Array.from({ length: rowCount }, (_, row) => (row % 10 === 0 ? null : 50 + (row % 40))),
};
const species: ChartColumn = {
  name: 'species',
  kind: 'nominal',
  values: Array.from({ length: rowCount }, (_, row) => `s${row % 60}`),
};

function dataOf(spec: unknown): Record<string, unknown>[] {
  return (spec as { data: { values: Record<string, unknown>[] } }).data.values;
}

describe('buildChartSpec', () => {
  it('samples a scatter plot of 100 000 rows down to MAX_POINTS, the same rows every time', () => {
    const first = buildChartSpec({ mark: 'point', x: height, y: weight });
    const second = buildChartSpec({ mark: 'point', x: height, y: weight });
    expect(dataOf(first.spec)).toHaveLength(MAX_POINTS);
    expect(dataOf(second.spec)).toEqual(dataOf(first.spec));
    expect(dataOf(first.spec).every((point) => point.y !== null)).toBe(true);
    expect(first.note).toMatch(/^A random sample of 2,000 of 90,000 points/);
  });

  it('keeps every point of a small table', () => {
    const small: ChartColumn = { name: 'a', kind: 'quantitative', values: [1, 2, 3] };
    expect(dataOf(buildChartSpec({ mark: 'point', x: small, y: small }).spec)).toEqual([
      { x: 1, y: 1 },
      { x: 2, y: 2 },
      { x: 3, y: 3 },
    ]);
  });

  it('counts every row into the histogram bins', () => {
    const { spec } = buildChartSpec({ mark: 'histogram', x: height });
    const bins = dataOf(spec);
    expect(bins).toHaveLength(HISTOGRAM_BINS);
    expect(bins.reduce((total, bin) => total + (bin.y as number), 0)).toBe(rowCount);
    expect(bins[0]?.x).toBe(150);
    expect(bins.at(-1)?.x2).toBe(199);
  });

  it('averages y per bin for bars over a numeric x', () => {
    const x: ChartColumn = { name: 'x', kind: 'quantitative', values: [0, 0, 10, 10] };
    const y: ChartColumn = { name: 'y', kind: 'quantitative', values: [1, 3, 5, null] };
    const bars = dataOf(buildChartSpec({ mark: 'bar', x, y }).spec);
    expect(bars).toHaveLength(BAR_BINS);
    expect(bars[0]).toEqual({ x: 0, x2: 10 / BAR_BINS, y: 2 });
    expect(bars.at(-1)?.y).toBe(5);
  });

  it('keeps the most frequent categories only', () => {
    const { spec, note } = buildChartSpec({ mark: 'bar', x: species, y: weight });
    expect(dataOf(spec)).toHaveLength(MAX_CATEGORIES);
    expect(note).toContain('40 most frequent of 60 categories');
  });

  it('draws a line from bin means, ordered by x', () => {
    const { spec } = buildChartSpec({ mark: 'line', x: height, y: weight });
    const xs = dataOf(spec).map((point) => point.x as number);
    expect(xs.length).toBeLessThanOrEqual(400);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('uses neutral field names, so a column named with a dot is not read as a path', () => {
    const { spec } = buildChartSpec({ mark: 'point', x: height, y: weight });
    expect(JSON.stringify(spec)).not.toContain('"field":"height.cm"');
    expect(JSON.stringify(spec)).toContain('"title":"height.cm"');
  });
});

describe('columnKind', () => {
  it('maps engine types to chart kinds', () => {
    expect(['int', 'float', 'date', 'timestamp', 'string', 'bool'].map(columnKind)).toEqual([
      'quantitative',
      'quantitative',
      'temporal',
      'temporal',
      'nominal',
      'nominal',
    ]);
  });
});

describe('renderSvg', () => {
  it('renders a 100 000-row scatter plot to an SVG of reasonable size, without Function', async () => {
    const originalFunction = globalThis.Function;
    const forbidden = new Proxy(originalFunction, {
      apply: () => {
        throw new Error('Function() called');
      },
      construct: () => {
        throw new Error('new Function() called');
      },
    });
    globalThis.Function = forbidden;
    let markup: string;
    try {
      markup = await renderSvg(buildChartSpec({ mark: 'point', x: height, y: weight }).spec);
    } finally {
      globalThis.Function = originalFunction;
    }
    expect(markup.startsWith('<svg')).toBe(true);
    expect(markup).toContain('height.cm');
    expect(markup.match(/<path/g)?.length ?? 0).toBeGreaterThan(MAX_POINTS / 2);
    expect(markup.length).toBeLessThan(1024 * 1024);
    expect(markup).not.toMatch(/<script|<foreignObject/i);
  });

  it('renders each mark type', async () => {
    for (const mark of ['bar', 'line', 'histogram'] as const) {
      const markup = await renderSvg(buildChartSpec({ mark, x: species, y: weight }).spec);
      expect(markup).toContain('species');
    }
  });
});
