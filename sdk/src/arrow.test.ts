import { describe, expect, it } from 'vitest';
import { joinPages, readColumns, tableFromColumns, tableFromIpc, tableToIpc } from './arrow.ts';
import { PluginError } from './plugin-error.ts';

function payload(bytes: Uint8Array) {
  const ipc = bytes.slice().buffer;
  return { ipc, rows: tableFromIpc(ipc).numRows };
}

describe('tableFromColumns and readColumns', () => {
  it('round-trips typed arrays, numbers and text with missing values', () => {
    const bytes = tableFromColumns({
      mass: new Float64Array([1.5, 2.25, -3]),
      count: new Int32Array([1, 2, 3]),
      ratio: [0.5, null, 2],
      label: ['a', null, 'c'],
    });
    const columns = readColumns(payload(bytes));
    expect(columns.mass).toBeInstanceOf(Float64Array);
    expect([...(columns.mass as Float64Array)]).toEqual([1.5, 2.25, -3]);
    expect(columns.count).toBeInstanceOf(Int32Array);
    expect([...(columns.count as Int32Array)]).toEqual([1, 2, 3]);
    expect(columns.ratio).toEqual([0.5, null, 2]);
    expect(columns.label).toEqual(['a', null, 'c']);
  });

  it('writes the types the host expects', () => {
    const table = tableFromIpc(
      tableFromColumns({ x: [1, 2], s: ['a', 'b'], i: new Int32Array(2) }),
    );
    expect(table.schema.fields.map((field) => [field.name, String(field.type)])).toEqual([
      ['x', 'Float64'],
      ['s', 'Utf8'],
      ['i', 'Int32'],
    ]);
  });

  it('refuses columns of different lengths, mixed values and no columns', () => {
    expect(() => tableFromColumns({ a: [1, 2], b: [1] })).toThrow(PluginError);
    expect(() => tableFromColumns({ a: [1, 'x'] as (number | null)[] })).toThrow(/mixes/);
    expect(() => tableFromColumns({ a: [{}] as unknown as number[] })).toThrow(/not numbers/);
    expect(() => tableFromColumns({})).toThrow(/needs a column/);
  });

  it('writes back with tableToIpc what tableFromIpc read', () => {
    const bytes = tableToIpc(
      tableFromIpc(tableFromColumns({ n: new Int32Array([5, 6]), s: ['x', null] })),
    );
    const columns = readColumns(payload(bytes));
    expect([...(columns.n as Int32Array)]).toEqual([5, 6]);
    expect(columns.s).toEqual(['x', null]);
  });
});

describe('joinPages', () => {
  const page = (columns: Parameters<typeof tableFromColumns>[0], rows: number) => ({
    ipc: tableFromColumns(columns).slice().buffer,
    rows,
  });

  it('joins pages in order, missing values kept', () => {
    const joined = joinPages([
      page({ name: ['a', null], mass: [1, null] }, 2),
      page({ name: ['c'], mass: [3] }, 1),
    ]);
    expect(joined.rows).toBe(3);
    const columns = readColumns(joined);
    expect([...(columns.name as string[])]).toEqual(['a', null, 'c']);
    expect([...(columns.mass as number[])]).toEqual([1, null, 3]);
  });

  it('refuses pages whose columns differ instead of joining garbage', () => {
    const join = () => joinPages([page({ x: ['a'] }, 1), page({ x: [1] }, 1)]);
    expect(join).toThrow(PluginError);
    expect(join).toThrow(/different columns/);
  });
});
