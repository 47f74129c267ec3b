import { describe, expect, it } from 'vitest';
import {
  DASHBOARD_SPEC_MAX_BYTES,
  DashboardSpecSchema,
  connectionQueries,
  specByteSize,
} from './dashboard-spec.ts';

const datasetId = '0b8c1f9e-6a55-4a47-9d5e-3f6b0d1c2a77';
const connectionId = '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b';

function view(overrides: Record<string, unknown> = {}) {
  return {
    id: 'dose',
    title: 'Dose',
    kind: 'histogram',
    source: { type: 'dataset', datasetId },
    encoding: { x: 'dose_mg', aggregate: 'count' },
    filters: [{ column: 'arm', op: 'eq', value: 'A' }],
    ...overrides,
  };
}

function problems(spec: unknown): string[] {
  const result = DashboardSpecSchema.safeParse(spec);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('DashboardSpecSchema', () => {
  it('accepts every kind, both sources and every filter shape', () => {
    const spec = {
      version: 1,
      views: [
        view(),
        view({ id: 'by-arm', kind: 'bar', source: { type: 'dataset', datasetId, version: 3 } }),
        view({
          id: 'live',
          kind: 'table',
          source: { type: 'connection', connectionId, sql: 'select *\n\tfrom trials' },
          encoding: undefined,
          filters: [
            { column: 'site', op: 'in', value: ['a', 'b', 3] },
            { column: 'ended', op: 'is_null' },
            { column: 'n', op: 'ge', value: 10 },
            { column: 'ok', op: 'ne', value: true },
          ],
        }),
        view({ id: 'l', kind: 'line' }),
        view({ id: 's', kind: 'scatter', encoding: { x: 'a', y: 'b', color: 'c', groupBy: 'd' } }),
        view({ id: 'b', kind: 'box' }),
      ],
    };
    expect(problems(spec)).toEqual([]);
    expect(connectionQueries(DashboardSpecSchema.parse(spec))).toEqual([
      { connectionId, sql: 'select *\n\tfrom trials' },
    ]);
  });

  it.each([
    ['an unknown top-level field', { version: 1, views: [], extra: 1 }, ''],
    ['another spec version', { version: 2, views: [] }, 'version'],
    ['an unknown view field', { version: 1, views: [view({ script: 'x' })] }, 'views.0'],
    ['an unknown kind', { version: 1, views: [view({ kind: 'pie' })] }, 'views.0.kind'],
    ['a view id that is no slug', { version: 1, views: [view({ id: '../x' })] }, 'views.0.id'],
    [
      'an unknown source field',
      { version: 1, views: [view({ source: { type: 'dataset', datasetId, path: '/etc' } })] },
      'views.0.source',
    ],
    [
      'a source of an unknown type',
      { version: 1, views: [view({ source: { type: 'file', datasetId } })] },
      'views.0.source.type',
    ],
    [
      'a dataset id that is no UUID',
      { version: 1, views: [view({ source: { type: 'dataset', datasetId: '1 or 1=1' } })] },
      'views.0.source.datasetId',
    ],
    [
      'SQL over 20000 characters',
      {
        version: 1,
        views: [view({ source: { type: 'connection', connectionId, sql: 'x'.repeat(20_001) } })],
      },
      'views.0.source.sql',
    ],
    [
      'a NUL in SQL',
      {
        version: 1,
        views: [view({ source: { type: 'connection', connectionId, sql: 'a\u0000' } })],
      },
      'views.0.source.sql',
    ],
    [
      'a column name over 200 characters',
      { version: 1, views: [view({ encoding: { x: 'c'.repeat(201) } })] },
      'views.0.encoding.x',
    ],
    [
      'an unknown encoding field',
      { version: 1, views: [view({ encoding: { z: 'a' } })] },
      'views.0.encoding',
    ],
    [
      'an unknown aggregate',
      { version: 1, views: [view({ encoding: { aggregate: 'median' } })] },
      'views.0.encoding.aggregate',
    ],
    [
      'an unknown filter op',
      { version: 1, views: [view({ filters: [{ column: 'a', op: 'like', value: '%' }] })] },
      'views.0.filters.0.op',
    ],
    [
      '`in` with one value',
      { version: 1, views: [view({ filters: [{ column: 'a', op: 'in', value: 1 }] })] },
      'views.0.filters.0.value',
    ],
    [
      '`eq` without a value',
      { version: 1, views: [view({ filters: [{ column: 'a', op: 'eq' }] })] },
      'views.0.filters.0.value',
    ],
    [
      '`is_null` with a value',
      { version: 1, views: [view({ filters: [{ column: 'a', op: 'is_null', value: 1 }] })] },
      'views.0.filters.0.value',
    ],
    [
      '21 filters',
      {
        version: 1,
        views: [
          view({ filters: Array.from({ length: 21 }, () => ({ column: 'a', op: 'is_null' })) }),
        ],
      },
      'views.0.filters',
    ],
    [
      '51 views',
      { version: 1, views: Array.from({ length: 51 }, (_, index) => view({ id: `v${index}` })) },
      'views',
    ],
    ['two views with one id', { version: 1, views: [view(), view()] }, 'views.1.id'],
  ])('refuses %s', (_name, spec, path) => {
    expect(problems(spec)).toContain(path);
  });

  it('measures the size as stored: JSON in UTF-8 bytes', () => {
    const spec = DashboardSpecSchema.parse({ version: 1, views: [view({ title: 'é' })] });
    expect(specByteSize(spec)).toBe(Buffer.byteLength(JSON.stringify(spec)));
    // 50 views of 20000 characters of SQL are valid in shape but far over the size cap.
    const big = DashboardSpecSchema.parse({
      version: 1,
      views: Array.from({ length: 50 }, (_, index) =>
        view({
          id: `v${index}`,
          source: { type: 'connection', connectionId, sql: 'x'.repeat(20_000) },
        }),
      ),
    });
    expect(specByteSize(big)).toBeGreaterThan(DASHBOARD_SPEC_MAX_BYTES);
  });
});
