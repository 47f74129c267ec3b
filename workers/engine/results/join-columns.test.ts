/**
 * Joining a result to a table: the table's columns are shared, never copied or changed (checked
 * on a million rows read from Arrow bytes, where every buffer is a view of those bytes), the
 * result's follow in order, and names the table has are renamed after the plugin.
 */
import { describe, expect, it } from 'vitest';
import { tableToIpc } from '../arrow/index.ts';
import type { ColumnData, ColumnTable } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import { readArrowIpc } from '../formats/arrow-ipc/index.ts';
import { joinColumns, readResult } from './index.ts';

const LABEL = 'enclave.stats';

function floats(values: ArrayLike<number>): ColumnData {
  return {
    kind: 'number',
    type: 'float',
    length: values.length,
    values: Float64Array.from(values),
    validity: null,
  };
}

function tableOf(columns: Record<string, number[]>): ColumnTable {
  const entries = Object.entries(columns);
  return {
    length: entries[0]?.[1].length ?? 0,
    columns: entries.map(([name, values]) => ({ name, data: floats(values) })),
  };
}

describe('joinColumns', () => {
  it("keeps the table's columns as the same objects, then adds the result's", () => {
    const table = tableOf({ dose: [1, 2], signal: [3, 4] });
    const before = [...table.columns];
    const added = readResult(tableToIpc(tableOf({ mean: [5, 6] })), { label: LABEL }).table;
    const { table: joined, warnings } = joinColumns(table, added, LABEL);
    expect(joined).not.toBe(table);
    expect(joined.length).toBe(2);
    expect(joined.columns[0]).toBe(table.columns[0]);
    expect(joined.columns[1]).toBe(table.columns[1]);
    expect(joined.columns[2]).toBe(added.columns[0]);
    expect(table.columns).toEqual(before);
    expect(warnings).toEqual([]);
  });

  it('renames a result column whose name the table has to `<plugin>: <name>`, then numbers it', () => {
    const table = tableOf({ mean: [1], sd: [2], 'enclave.stats: sd': [3] });
    const added = readResult(
      tableToIpc(tableOf({ mean: [4], sd: [5], other: [6], 'enclave.stats: mean': [7] })),
      { label: LABEL },
    ).table;
    const { table: joined, warnings } = joinColumns(table, added, LABEL);
    expect(joined.columns.map((column) => column.name)).toEqual([
      'mean',
      'sd',
      'enclave.stats: sd',
      'enclave.stats: mean',
      'enclave.stats: sd (2)',
      'other',
      'enclave.stats: enclave.stats: mean',
    ]);
    expect(warnings.map((warning) => [warning.kind, warning.column])).toEqual([
      ['renamed', 'enclave.stats: mean'],
      ['renamed', 'enclave.stats: sd (2)'],
      ['renamed', 'enclave.stats: enclave.stats: mean'],
    ]);
    // A renamed column keeps its data and its label.
    expect(joined.columns[3]!.data).toBe(added.columns[0]!.data);
    expect(joined.columns[3]!.source).toEqual({ plugin: LABEL });
  });

  it('refuses a result of another row count', () => {
    const table = tableOf({ dose: [1, 2] });
    const refusal = (() => {
      try {
        joinColumns(table, tableOf({ mean: [1] }), LABEL);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(EngineError);
    expect(refusal).toMatchObject({ code: 'invalid_request' });
  });

  it("shares a million-row table's buffers: every column of the new table is the old one", () => {
    const rows = 1_000_000;
    const values = new Float64Array(rows);
    const codes = new Int32Array(rows);
    for (let row = 0; row < rows; row++) {
      values[row] = row * 0.5;
      codes[row] = row % 3;
    }
    const input = tableToIpc({
      length: rows,
      columns: [
        { name: 'x', data: floats(values) },
        {
          name: 'site',
          data: {
            kind: 'dict',
            type: 'category',
            length: rows,
            codes,
            dictionary: ['a', 'b', 'c'],
            validity: null,
          },
        },
      ],
    });
    const { table } = readArrowIpc(input);
    const result = tableToIpc({
      length: rows,
      columns: [{ name: 'y', data: floats(values) }],
    });
    const added = readResult(result, { label: LABEL, rows }).table;

    const { table: joined } = joinColumns(table, added, LABEL);
    expect(joined.length).toBe(rows);
    table.columns.forEach((column, index) => {
      expect(joined.columns[index]).toBe(column);
      expect(joined.columns[index]!.data).toBe(column.data);
    });
    const [x, site, y] = joined.columns.map((column) => column.data);
    // Views of the bytes they were read from: nothing was copied, neither the table's nor the result's.
    expect(x?.kind === 'number' && x.values.buffer).toBe(input.buffer);
    expect(site?.kind === 'dict' && site.codes.buffer).toBe(input.buffer);
    expect(y?.kind === 'number' && y.values.buffer).toBe(result.buffer);
  });
});
