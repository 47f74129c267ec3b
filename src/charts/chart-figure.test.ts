/**
 * The figure for each chart kind, from real chart answers: the engine computes them over a small
 * table exactly as in the app, and the figure must put the right numbers on the right axes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../workers/engine/engine.ts';
import type { ChartQuery, LogicalType, TableInfo } from '../../workers/engine/protocol.ts';
import { decodeArrow } from '../engine/decode-arrow.ts';
import { chartFigure, type ChartFigure } from './chart-figure.ts';

const CSV = [
  'plate,dose,signal,day',
  'P1,1,10,2024-01-01',
  'P1,2,20,2024-01-02',
  'P2,3,30,2024-01-03',
  'P2,4,,2024-01-04',
  'P2,5,50,2024-01-05',
].join('\n');

const engine = createEngine();
let table: TableInfo;

beforeAll(async () => {
  const bytes = new TextEncoder().encode(CSV).buffer as ArrayBuffer;
  table = await engine.open({ kind: 'bytes', bytes, name: 'plates.csv' }, { jobId: 'charts' });
});

async function figureOf(query: ChartQuery): Promise<ChartFigure> {
  const answer = decodeArrow(await engine.chart(table.tableId, query));
  const typeOf = (name: string): LogicalType | undefined =>
    table.columns.find((column) => column.name === name)?.type;
  return chartFigure(query, answer, typeOf);
}

describe('chartFigure', () => {
  it('centres histogram bars on their bins and counts every row', async () => {
    const figure = await figureOf({ kind: 'histogram', x: 'dose', bins: 4 });
    if (figure.kind !== 'histogram') throw new Error(figure.kind);
    expect(figure.x).toEqual({ label: 'dose', scale: 'number' });
    expect(figure.barWidth).toBe(1);
    expect(Array.from(figure.xValues)).toEqual([1.5, 2.5, 3.5, 4.5]);
    const counts = Array.from(figure.series[0]!.values as ArrayLike<number>);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(5);
  });

  it('names bar categories and labels what a bar measures', async () => {
    const figure = await figureOf({
      kind: 'bar',
      x: 'plate',
      aggregate: { op: 'sum', column: 'signal' },
    });
    if (figure.kind !== 'bar') throw new Error(figure.kind);
    expect(figure.x.categories).toEqual(['P2', 'P1']);
    expect(figure.y.label).toBe('sum of signal');
    expect(Array.from(figure.series[0]!.values)).toEqual([80, 30]);
  });

  it('puts dates on a line chart’s x axis and keeps missing values as gaps', async () => {
    const figure = await figureOf({ kind: 'line', x: 'day', y: ['signal'] });
    if (figure.kind !== 'line') throw new Error(figure.kind);
    expect(figure.x.scale).toBe('date');
    expect(figure.xValues).toHaveLength(5);
    expect(Array.from(figure.series[0]!.values)).toContain(null);
  });

  it('plots every scatter point that has both coordinates', async () => {
    const figure = await figureOf({ kind: 'scatter', x: 'dose', y: 'signal' });
    if (figure.kind !== 'scatter') throw new Error(figure.kind);
    expect(figure.points).toBe(4);
    expect(Array.from(figure.yValues).sort((a, b) => a - b)).toEqual([10, 20, 30, 50]);
  });

  it('draws one box per group, or one for all rows', async () => {
    const grouped = await figureOf({ kind: 'box', y: 'dose', groupBy: 'plate' });
    if (grouped.kind !== 'box') throw new Error(grouped.kind);
    expect(grouped.x.categories).toEqual(['P1', 'P2']);
    expect(grouped.boxes.map((box) => [box.min, box.median, box.max, box.count])).toEqual([
      [1, 1.5, 2, 2],
      [3, 4, 5, 3],
    ]);
    const all = await figureOf({ kind: 'box', y: 'dose' });
    if (all.kind !== 'box') throw new Error(all.kind);
    expect(all.x.categories).toEqual(['dose']);
    expect(all.boxes).toHaveLength(1);
    expect(all.boxes[0]).toMatchObject({ min: 1, median: 3, max: 5, count: 5 });
  });
});
