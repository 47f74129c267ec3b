import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../../workers/engine/protocol.ts';
import { UserFacingError } from '../../errors/user-facing-error.ts';
import { dashboardView } from './dashboard-view.ts';

const columns: ColumnSchema[] = [
  { name: 'dose', type: 'float', nullCount: 0 },
  { name: 'arm', type: 'category', nullCount: 0 },
  { name: 'ok', type: 'bool', nullCount: 0 },
];
const base = { datasetId: 'd1', version: 2, columns, takenIds: [] as string[] };

describe('dashboardView', () => {
  it('saves a filtered histogram with typed values', () => {
    const view = dashboardView({
      ...base,
      title: 'Dose (high)',
      chart: { kind: 'histogram', x: 'dose', bins: 40 },
      filter: {
        combinator: 'and',
        conditions: [
          { id: 'a', column: 'dose', op: 'gt', value: '2.5' },
          { id: 'b', column: 'ok', op: 'is_true', value: '' },
        ],
      },
    });
    expect(view).toEqual({
      id: 'dose-high',
      title: 'Dose (high)',
      kind: 'histogram',
      encoding: { x: 'dose' },
      source: { type: 'dataset', datasetId: 'd1', version: 2 },
      filters: [
        { column: 'dose', op: 'gt', value: 2.5 },
        { column: 'ok', op: 'eq', value: true },
      ],
    });
  });

  it('saves the table when no chart is drawn, with an id distinct from those taken', () => {
    const view = dashboardView({
      ...base,
      title: 'Rows',
      chart: null,
      filter: null,
      takenIds: ['rows', 'rows-2'],
    });
    expect(view.kind).toBe('table');
    expect(view.id).toBe('rows-3');
    expect(view.filters).toBeUndefined();
  });

  it('refuses a filter of "any" condition, which a dashboard cannot keep', () => {
    expect(() =>
      dashboardView({
        ...base,
        title: 'x',
        chart: null,
        filter: {
          combinator: 'or',
          conditions: [
            { id: 'a', column: 'arm', op: 'eq', value: 'A' },
            { id: 'b', column: 'arm', op: 'eq', value: 'B' },
          ],
        },
      }),
    ).toThrow(UserFacingError);
  });

  it('refuses operators dashboards lack instead of dropping them', () => {
    expect(() =>
      dashboardView({
        ...base,
        title: 'x',
        chart: null,
        filter: {
          combinator: 'and',
          conditions: [{ id: 'a', column: 'arm', op: 'starts_with', value: 'A' }],
        },
      }),
    ).toThrow(/cannot keep the condition “arm starts with”/);
  });

  it('maps a box plot per group', () => {
    const view = dashboardView({
      ...base,
      title: 'Box',
      chart: { kind: 'box', y: 'dose', groupBy: 'arm' },
      filter: null,
    });
    expect(view).toMatchObject({ kind: 'box', encoding: { y: 'dose', groupBy: 'arm' } });
  });
});
