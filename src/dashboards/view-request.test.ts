import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../workers/engine/protocol.ts';
import type { DashboardView } from '../api/dashboards-api.ts';
import { viewRequest } from './view-request.ts';

const columns: ColumnSchema[] = [
  { name: 'dose', type: 'float', nullCount: 0 },
  { name: 'plate', type: 'category', nullCount: 0 },
  { name: 'active', type: 'bool', nullCount: 0 },
];

function view(changes: Partial<DashboardView>): DashboardView {
  return {
    id: 'v',
    title: 'V',
    kind: 'histogram',
    source: { type: 'dataset', datasetId: 'd', version: 1 },
    encoding: { x: 'dose' },
    ...changes,
  };
}

describe('viewRequest', () => {
  it('turns the filters into one predicate that all must hold, and the chart into a query', () => {
    const request = viewRequest(
      view({
        filters: [
          { column: 'dose', op: 'gt', value: 2 },
          { column: 'plate', op: 'in', value: ['P1', 'P2'] },
          { column: 'active', op: 'eq', value: true },
          { column: 'plate', op: 'contains', value: '1' },
          { column: 'dose', op: 'is_null' },
        ],
      }),
      columns,
    );
    expect(request).toEqual({
      ok: true,
      filter: {
        op: 'and',
        predicates: [
          { op: 'gt', column: 'dose', value: 2 },
          { op: 'in', column: 'plate', values: ['P1', 'P2'] },
          { op: 'eq', column: 'active', value: true },
          { op: 'contains', column: 'plate', value: '1' },
          { op: 'is_null', column: 'dose' },
        ],
      },
      chart: { kind: 'histogram', x: 'dose', bins: 40 },
    });
  });

  it('keeps a single filter as it is, and asks no chart of a table view', () => {
    expect(
      viewRequest(
        view({ kind: 'table', filters: [{ column: 'dose', op: 'le', value: 1 }] }),
        columns,
      ),
    ).toEqual({ ok: true, filter: { op: 'le', column: 'dose', value: 1 }, chart: null });
    expect(viewRequest(view({ kind: 'table' }), columns)).toEqual({
      ok: true,
      filter: undefined,
      chart: null,
    });
  });

  it('says so when the data lost a column the view filters on or draws', () => {
    expect(
      viewRequest(view({ filters: [{ column: 'gone', op: 'eq', value: 1 }] }), columns),
    ).toEqual({
      ok: false,
      problem: 'The data no longer has the column “gone” this view filters on.',
    });
    expect(viewRequest(view({ encoding: { x: 'plate' } }), columns)).toEqual({
      ok: false,
      problem: 'The data no longer fits this chart. Pick a number column.',
    });
  });
});
