/**
 * Tests of the Arrow IPC reader on real files: written by Flechette (an Arrow implementation
 * independent of apache-arrow, so the reader is not only tested against its own library) in
 * the file and the stream format, in several record batches, and by our own writer; that one
 * batch is read without copying its buffers; and on bytes that are not Arrow or are damaged.
 * Files written by apache-arrow, and the damage each check guards against, are tested in
 * `arrow/`.
 */
import {
  bool,
  dateDay,
  dictionary,
  float32,
  float64,
  int32,
  int64,
  tableFromArrays,
  tableToIPC,
  timestamp,
  TimeUnit,
  utf8,
} from '@uwdata/flechette';
import { describe, expect, it } from 'vitest';
import { tableToIpc } from '../../arrow/index.ts';
import { valueAt, type ColumnData, type ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import { looksLikeArrowIpc, readArrowIpc } from './index.ts';

function cellsOf(data: ColumnData) {
  return Array.from({ length: data.length }, (_, row) => valueAt(data, row));
}

function columnOf(table: ColumnTable, name: string): ColumnData {
  const column = table.columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`no column ${name}`);
  return column.data;
}

function errorOf(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

const columns = {
  well: ['A1', 'A2', null, 'B1', 'B2'],
  dose: [0.5, 1, 2, null, 8],
  count: [1, null, 3, 4, 5],
  reads: [10n, 2n ** 40n, null, -3n, 0n],
  signal: [0.25, 0.5, 0.75, 1, null],
  ok: [true, false, null, true, true],
  plate: ['p1', 'p1', 'p2', null, 'p2'],
  day: [0, 86_400_000, null, 2 * 86_400_000, 3 * 86_400_000],
  at: [0, 1_500, null, -1_000, 1_700_000_000_000],
};

const types = {
  well: utf8(),
  dose: float64(),
  count: int32(),
  reads: int64(),
  signal: float32(),
  ok: bool(),
  plate: dictionary(utf8()),
  day: dateDay(),
  at: timestamp(TimeUnit.MILLISECOND),
};

const expected: Record<string, [string, unknown[]]> = {
  well: ['string', columns.well],
  dose: ['float', columns.dose],
  count: ['int', columns.count],
  reads: ['int', [10, 2 ** 40, null, -3, 0]],
  signal: ['float', columns.signal],
  ok: ['bool', columns.ok],
  plate: ['category', columns.plate],
  day: ['date', [0, 1, null, 2, 3]],
  at: ['datetime', columns.at],
};

describe('readArrowIpc on files Flechette wrote', () => {
  for (const format of ['file', 'stream'] as const) {
    for (const maxBatchRows of [undefined, 2]) {
      it(`reads the ${format} format (${maxBatchRows ? 'batches of 2 rows' : 'one batch'})`, () => {
        const written = tableFromArrays(columns, {
          types,
          ...(maxBatchRows ? { maxBatchRows } : {}),
        });
        const bytes = tableToIPC(written, { format })!;
        expect(looksLikeArrowIpc(bytes)).toBe(true);
        const { table, warnings } = readArrowIpc(bytes);
        expect(warnings).toEqual([]);
        expect(table.length).toBe(5);
        expect(table.columns.map((column) => column.name)).toEqual(Object.keys(columns));
        for (const [name, [type, cells]] of Object.entries(expected)) {
          expect([name, columnOf(table, name).type, cellsOf(columnOf(table, name))]).toEqual([
            name,
            type,
            cells,
          ]);
        }
      });
    }
  }
});

describe('readArrowIpc without copying', () => {
  for (const format of ['file', 'stream'] as const) {
    it(`keeps the buffers of one batch as views of the input (${format} format)`, () => {
      const bytes = tableToIPC(tableFromArrays(columns, { types }), { format })!;
      const { table } = readArrowIpc(bytes);
      const views = {
        well: (data: ColumnData) => (data.kind === 'utf8' ? [data.offsets, data.bytes] : []),
        dose: (data: ColumnData) => (data.kind === 'number' ? [data.values, data.validity] : []),
        count: (data: ColumnData) => (data.kind === 'number' ? [data.values] : []),
        ok: (data: ColumnData) => (data.kind === 'bool' ? [data.bits, data.validity] : []),
        plate: (data: ColumnData) => (data.kind === 'dict' ? [data.codes] : []),
        day: (data: ColumnData) => (data.kind === 'number' ? [data.values] : []),
      };
      for (const [name, of] of Object.entries(views)) {
        const buffers = of(columnOf(table, name));
        expect([name, buffers.length > 0]).toEqual([name, true]);
        for (const view of buffers)
          expect([name, view?.buffer === bytes.buffer]).toEqual([name, true]);
      }
    });
  }
});

describe('readArrowIpc on our own bytes', () => {
  it('reads what tableToIpc wrote', () => {
    const table: ColumnTable = {
      length: 2,
      columns: [
        {
          name: 'dose',
          data: {
            kind: 'number',
            type: 'float',
            length: 2,
            values: new Float64Array([1.5, 2]),
            validity: null,
          },
        },
      ],
    };
    const { table: back } = readArrowIpc(tableToIpc(table));
    expect(cellsOf(columnOf(back, 'dose'))).toEqual([1.5, 2]);
  });
});

describe('readArrowIpc on bytes that are not Arrow', () => {
  it('tells a CSV or an old Arrow stream from Arrow IPC by its first bytes', () => {
    const csv = new TextEncoder().encode('dose,well\n1,A1\n');
    expect(looksLikeArrowIpc(csv)).toBe(false);
    const error = errorOf(() => readArrowIpc(csv));
    expect(error.code).toBe('parse_error');
    expect(error.offset).toBe(0);
    expect(error.message).toContain('not Arrow IPC');
    expect(looksLikeArrowIpc(new Uint8Array([0xff, 0xff, 0xff]))).toBe(false);
  });

  it('gives a parse_error for a file cut at any byte, never a shorter table', () => {
    const bytes = tableToIPC(tableFromArrays(columns, { types }), { format: 'file' })!;
    for (let end = 0; end < bytes.length; end++) {
      const error = errorOf(() => readArrowIpc(bytes.subarray(0, end)));
      expect([end, error.code]).toEqual([end, 'parse_error']);
    }
  });

  it('gives a parse_error for a stream cut inside a message', () => {
    const bytes = tableToIPC(tableFromArrays(columns, { types }), { format: 'stream' })!;
    for (const end of [5, 9, 100]) {
      expect(errorOf(() => readArrowIpc(bytes.subarray(0, end))).code).toBe('parse_error');
    }
  });

  it('gives a parse_error for a stream whose bytes were overwritten', () => {
    const bytes = tableToIPC(tableFromArrays(columns, { types }), { format: 'stream' })!.slice();
    for (let at = 8; at < 64; at++) bytes[at] = 0xee;
    expect(errorOf(() => readArrowIpc(bytes)).code).toBe('parse_error');
  });
});
