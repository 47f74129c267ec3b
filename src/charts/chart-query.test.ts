import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../workers/engine/protocol.ts';
import { chartQueryFor, HISTOGRAM_BINS, MAX_BARS, SCATTER_POINTS } from './chart-query.ts';

const columns: ColumnSchema[] = [
  { name: 'dose', type: 'float', nullCount: 0 },
  { name: 'signal', type: 'int', nullCount: 0 },
  { name: 'day', type: 'date', nullCount: 0 },
  { name: 'plate', type: 'category', nullCount: 0 },
  { name: 'note', type: 'string', nullCount: 0 },
];

describe('chartQueryFor', () => {
  it('asks for each kind with the app-wide sizes', () => {
    expect(chartQueryFor({ kind: 'histogram', x: 'dose' }, columns)).toEqual({
      kind: 'histogram',
      x: 'dose',
      bins: HISTOGRAM_BINS,
    });
    expect(chartQueryFor({ kind: 'bar', x: 'plate' }, columns)).toEqual({
      kind: 'bar',
      x: 'plate',
      aggregate: { op: 'count' },
      limit: MAX_BARS,
    });
    expect(
      chartQueryFor({ kind: 'bar', x: 'plate', y: 'dose', aggregate: 'mean' }, columns),
    ).toEqual({
      kind: 'bar',
      x: 'plate',
      aggregate: { op: 'mean', column: 'dose' },
      limit: MAX_BARS,
    });
    expect(chartQueryFor({ kind: 'line', x: 'day', y: 'signal' }, columns)).toMatchObject({
      kind: 'line',
      x: 'day',
      y: ['signal'],
    });
    expect(
      chartQueryFor({ kind: 'scatter', x: 'dose', y: 'signal', color: 'plate' }, columns),
    ).toEqual({
      kind: 'scatter',
      x: 'dose',
      y: 'signal',
      color: 'plate',
      maxPoints: SCATTER_POINTS,
    });
    expect(chartQueryFor({ kind: 'box', y: 'dose', groupBy: 'plate' }, columns)).toEqual({
      kind: 'box',
      y: 'dose',
      groupBy: 'plate',
    });
    expect(chartQueryFor({ kind: 'box', y: 'dose' }, columns)).toEqual({ kind: 'box', y: 'dose' });
  });

  it('says what to pick when the columns do not fit the kind, or are not there', () => {
    expect(chartQueryFor({ kind: 'histogram', x: 'note' }, columns)).toBe('Pick a number column.');
    expect(chartQueryFor({ kind: 'histogram', x: 'gone' }, columns)).toBe('Pick a number column.');
    expect(chartQueryFor({ kind: 'bar' }, columns)).toBe('Pick a column.');
    expect(chartQueryFor({ kind: 'bar', x: 'plate', y: 'note', aggregate: 'sum' }, columns)).toBe(
      'Pick a number column to sum up per bar.',
    );
    expect(chartQueryFor({ kind: 'scatter', x: 'dose', y: 'plate' }, columns)).toBe(
      'Pick two number columns.',
    );
    expect(chartQueryFor({ kind: 'box', y: 'plate' }, columns)).toBe('Pick a number column.');
  });

  it('leaves out a colour or grouping column that is not in the table', () => {
    expect(
      chartQueryFor({ kind: 'scatter', x: 'dose', y: 'signal', color: 'gone' }, columns),
    ).not.toHaveProperty('color');
    expect(chartQueryFor({ kind: 'box', y: 'dose', groupBy: 'gone' }, columns)).toEqual({
      kind: 'box',
      y: 'dose',
    });
  });
});
