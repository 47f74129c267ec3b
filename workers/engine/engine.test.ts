/**
 * The engine as the worker serves it: files and bytes of every format opened, views made and
 * composed, answers as Arrow IPC, loads cancelled, and every malformed or hostile request refused
 * with a typed error that leaves the engine healthy.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { ipcToTable, tableToIpc } from './arrow/index.ts';
import { NumberBuilder, Utf8Builder } from './columns/column-builder.ts';
import { valueAt, type ColumnTable } from './columns/column-data.ts';
import { createEngine } from './engine.ts';
import { EngineError } from './engine-error.ts';
import type { ArrowBytes, EngineApi, EngineErrorCode, LoadProgress } from './protocol.ts';

const encoder = new TextEncoder();

function bytesOf(text: string): ArrayBuffer {
  return encoder.encode(text).buffer as ArrayBuffer;
}

const PLATES_CSV = [
  'plate,well,signal,active',
  'P1,A1,0.5,true',
  'P1,A2,0.75,false',
  'P2,A1,1.25,true',
  'P2,A2,,false',
  'P3,A1,2,true',
].join('\n');

function decoded(answer: ArrowBytes): ColumnTable {
  const { table } = ipcToTable(answer.ipc);
  expect(table.length).toBe(answer.rows);
  return table;
}

function column(table: ColumnTable, name: string): unknown[] {
  const found = table.columns.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no column ${name}`);
  return Array.from({ length: table.length }, (_, row) => valueAt(found.data, row));
}

async function codeOf(promise: Promise<unknown>): Promise<EngineErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

async function openPlates(engine: EngineApi) {
  return engine.open(
    { kind: 'bytes', bytes: bytesOf(PLATES_CSV), name: 'plates.csv' },
    {
      jobId: crypto.randomUUID(),
    },
  );
}

describe('engine: opening', () => {
  it('reads CSV from a file and from bytes into the same table, with a report', async () => {
    const engine = createEngine();
    const fromFile = await engine.open(
      { kind: 'file', file: new Blob([PLATES_CSV]), name: 'plates.csv' },
      { jobId: 'file' },
    );
    const fromBytes = await openPlates(engine);
    for (const info of [fromFile, fromBytes]) {
      expect(info).toMatchObject({
        name: 'plates.csv',
        rowCount: 5,
        columns: [
          { name: 'plate', nullCount: 0 },
          { name: 'well', nullCount: 0 },
          { name: 'signal', type: 'float', nullCount: 1 },
          { name: 'active', type: 'bool', nullCount: 0 },
        ],
        report: { format: 'csv', rows: 5, bytes: PLATES_CSV.length },
      });
    }
    expect(fromFile.tableId).not.toBe(fromBytes.tableId);
  });

  it('tells every format from its name, and Arrow and Parquet from their bytes too', async () => {
    const engine = createEngine();
    const tsv = await engine.open(
      { kind: 'bytes', bytes: bytesOf('a\tb\n1\tx\n'), name: 'x.tsv' },
      { jobId: 'tsv' },
    );
    expect(tsv.report?.format).toBe('tsv');
    const jsonl = await engine.open(
      { kind: 'bytes', bytes: bytesOf('{"a":1}\n{"a":2}\n'), name: 'x.jsonl' },
      { jobId: 'jsonl' },
    );
    expect(jsonl).toMatchObject({ rowCount: 2, report: { format: 'jsonl' } });

    const numbers = new NumberBuilder('int');
    const names = new Utf8Builder();
    for (let i = 0; i < 3; i++) {
      numbers.append(i);
      names.append(`n${i}`);
    }
    const ipc = tableToIpc({
      length: 3,
      columns: [
        { name: 'n', data: numbers.finish() },
        { name: 's', data: names.finish() },
      ],
    });
    const arrow = await engine.open(
      { kind: 'bytes', bytes: ipc.slice().buffer as ArrayBuffer, name: 'no-extension' },
      { jobId: 'arrow' },
    );
    expect(arrow).toMatchObject({ rowCount: 3, report: { format: 'arrow' } });

    const parquet = parquetWriteBuffer({ columnData: [{ name: 'x', data: [1.5, 2.5] }] });
    const fromParquet = await engine.open(
      { kind: 'file', file: new Blob([parquet]), name: 'data.bin' },
      { jobId: 'parquet' },
    );
    expect(fromParquet).toMatchObject({ rowCount: 2, report: { format: 'parquet' } });
  });

  it('says what to do with a spreadsheet instead of misreading it', async () => {
    const engine = createEngine();
    await expect(
      codeOf(
        engine.open(
          { kind: 'bytes', bytes: bytesOf('PK\u0003\u0004'), name: 'book.xlsx' },
          { jobId: 'x' },
        ),
      ),
    ).resolves.toBe('unsupported_format');
  });

  it('applies the column types the user chose', async () => {
    const engine = createEngine();
    const inferred = await openPlates(engine);
    const info = await engine.open(
      { kind: 'bytes', bytes: bytesOf(PLATES_CSV), name: 'plates.csv' },
      { jobId: 'typed', columnTypes: { well: 'string', signal: 'string' } },
    );
    const [plate, well, signal, active] = inferred.columns.map((entry) => entry.type);
    expect([plate, well, signal, active]).toEqual([plate, 'category', 'float', 'bool']);
    expect(info.columns.map((entry) => entry.type)).toEqual([plate, 'string', 'string', 'bool']);

    const jsonl = await engine.open(
      { kind: 'bytes', bytes: bytesOf('{"dose": "1.5", "id": 7}\n'), name: 'doses.jsonl' },
      { jobId: 'typed-jsonl', columnTypes: { dose: 'float', id: 'string', gone: 'int' } },
    );
    expect(jsonl.columns.map((entry) => entry.type)).toEqual(['float', 'string']);
    expect(jsonl.report?.warnings.map((warning) => warning.kind)).toEqual(['unknown-column']);
  });

  it('reports progress that grows to the whole file, and stops a load it is told to cancel', async () => {
    const engine = createEngine();
    const big = `id,value\n${Array.from({ length: 3_000_000 }, (_, i) => `${i},${i * 0.5}`).join('\n')}\n`;
    const file = new Blob([big]);
    const progress: LoadProgress[] = [];
    const opened = await engine.open(
      { kind: 'file', file, name: 'big.csv' },
      { jobId: 'whole' },
      (report) => void progress.push(report),
    );
    expect(opened.rowCount).toBe(3_000_000);
    expect(progress.length).toBeGreaterThan(1);
    const read = progress.map((report) => report.bytesRead);
    expect(read).toEqual([...read].sort((left, right) => left - right));
    expect(progress.at(-1)).toMatchObject({ bytesRead: file.size, totalBytes: file.size });

    const load = engine.open({ kind: 'file', file, name: 'big.csv' }, { jobId: 'stopped' });
    await engine.cancel('stopped');
    await expect(codeOf(load)).resolves.toBe('cancelled');
    // The name is free again, and the engine goes on working.
    await expect(
      engine.open({ kind: 'file', file, name: 'big.csv' }, { jobId: 'stopped' }),
    ).resolves.toMatchObject({ rowCount: 3_000_000 });
  });
});

describe('engine: views and answers', () => {
  it('filters, sorts and pages a table as Arrow, and views of views read only their rows', async () => {
    const engine = createEngine();
    const table = await openPlates(engine);
    const active = await engine.query(table.tableId, {
      filter: { op: 'eq', column: 'active', value: true },
      sort: [{ column: 'signal', direction: 'desc' }],
    });
    expect(active.rowCount).toBe(3);
    const page = decoded(await engine.rows(active.viewId, 0, 10));
    expect(column(page, 'signal')).toEqual([2, 1.25, 0.5]);

    const narrowed = await engine.query(active.viewId, {
      filter: { op: 'lt', column: 'signal', value: 2 },
      limit: 1,
    });
    expect(narrowed).toMatchObject({ tableId: table.tableId, rowCount: 1 });
    expect(column(decoded(await engine.rows(narrowed.viewId, 0, 10, ['well'])), 'well')).toEqual([
      'A1',
    ]);
    expect(decoded(await engine.exportArrow(active.viewId)).length).toBe(3);
  });

  it('groups a view into a new table, and answers stats and chart data', async () => {
    const engine = createEngine();
    const table = await openPlates(engine);
    const grouped = await engine.groupBy(table.tableId, {
      keys: ['plate'],
      aggregates: [{ op: 'count' }, { op: 'sum', column: 'signal' }],
    });
    const rows = decoded(await engine.rows(grouped.tableId, 0, 10));
    expect(column(rows, 'plate')).toEqual(['P1', 'P2', 'P3']);
    expect(column(rows, 'count')).toEqual([2, 2, 1]);
    expect(column(rows, 'sum_signal')).toEqual([1.25, 1.25, 2]);

    const [signal] = await engine.stats(table.tableId, ['signal']);
    expect(signal).toMatchObject({ count: 4, nullCount: 1, numeric: { min: 0.5, max: 2 } });
    const bars = decoded(
      await engine.chart(table.tableId, { kind: 'bar', x: 'plate', aggregate: { op: 'count' } }),
    );
    expect(bars.length).toBe(3);
  });

  it('forgets a dropped table together with its views', async () => {
    const engine = createEngine();
    const table = await openPlates(engine);
    const view = await engine.query(table.tableId, { limit: 2 });
    await engine.drop(table.tableId);
    await expect(codeOf(engine.rows(view.viewId, 0, 1))).resolves.toBe('not_found');
    await expect(codeOf(engine.rows(table.tableId, 0, 1))).resolves.toBe('not_found');
  });
});

describe('engine: hostile and malformed requests', () => {
  const cases: [string, (engine: EngineApi, tableId: string) => Promise<unknown>][] = [
    [
      'an unknown field in a query',
      (e, id) => e.query(id, { filter: undefined, drop: 1 } as never),
    ],
    ['a predicate of a wrong type', (e, id) => e.query(id, { filter: { op: 'gt' } } as never)],
    [
      'an unknown operator',
      (e, id) => e.query(id, { filter: { op: 'eval', column: 'x' } } as never),
    ],
    [
      'a non-finite value',
      (e, id) => e.query(id, { filter: { op: 'gt', column: 'signal', value: NaN } }),
    ],
    [
      'a filter of 5,000 conditions',
      (e, id) =>
        e.query(id, {
          filter: {
            op: 'or',
            predicates: Array.from({ length: 5_000 }, () => ({
              op: 'is_null' as const,
              column: 'signal',
            })),
          },
        }),
    ],
    ['a negative limit', (e, id) => e.query(id, { limit: -1 })],
    ['a page larger than the limit', (e, id) => e.rows(id, 0, 10_000_000)],
    ['a fractional offset', (e, id) => e.rows(id, 0.5, 1)],
    ['an id that is not a string', (e) => e.rows({ toString: () => 'x' } as never, 0, 1)],
    ['an id of a megabyte', (e) => e.rows('x'.repeat(1_000_000), 0, 1)],
    ['a group-by without keys', (e, id) => e.groupBy(id, { keys: [], aggregates: [] })],
    ['a chart of an unknown kind', (e, id) => e.chart(id, { kind: 'pie', x: 'plate' } as never)],
    ['stats with a million bins', (e, id) => e.stats(id, undefined, { bins: 1_000_000 })],
    [
      'a prototype key in a spec',
      (e, id) => e.query(id, JSON.parse('{"__proto__": {"polluted": true}, "limit": 1}')),
    ],
    [
      'options with an unknown field',
      (e) =>
        e.open({ kind: 'bytes', bytes: bytesOf('a\n1\n'), name: 'a.csv' }, {
          jobId: 'j',
          x: 1,
        } as never),
    ],
    [
      'a source that is not a file',
      (e) => e.open({ kind: 'file', file: 'C:/secrets' as never, name: 'x.csv' }, { jobId: 'j' }),
    ],
  ];

  it.each(cases)('refuses %s as invalid_request and stays healthy', async (_name, request) => {
    const engine = createEngine();
    const table = await openPlates(engine);
    await expect(codeOf(request(engine, table.tableId))).resolves.toBe('invalid_request');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expect(engine.rows(table.tableId, 0, 5)).resolves.toMatchObject({ rows: 5 });
  });

  it('refuses a filter nested deeper than allowed, however deep, without overflowing the stack', async () => {
    const engine = createEngine();
    const table = await openPlates(engine);
    for (const depth of [17, 100_000]) {
      let predicate: object = { op: 'is_null', column: 'signal' };
      for (let level = 0; level < depth; level++) predicate = { op: 'not', predicate };
      await expect(
        codeOf(engine.query(table.tableId, { filter: predicate as never })),
      ).resolves.toBe('invalid_request');
    }
  });

  it('names an unknown column and a type that does not fit', async () => {
    const engine = createEngine();
    const table = await openPlates(engine);
    await expect(
      codeOf(engine.query(table.tableId, { filter: { op: 'eq', column: 'nope', value: 1 } })),
    ).resolves.toBe('unknown_column');
    await expect(
      codeOf(
        engine.groupBy(table.tableId, {
          keys: ['plate'],
          aggregates: [{ op: 'sum', column: 'well' }],
        }),
      ),
    ).resolves.toBe('type_mismatch');
  });

  it('refuses a second load under a name that is running', async () => {
    const engine = createEngine();
    const file = new Blob([`a\n${'1\n'.repeat(200_000)}`]);
    const first = engine.open({ kind: 'file', file, name: 'a.csv' }, { jobId: 'same' });
    await expect(
      codeOf(engine.open({ kind: 'file', file, name: 'a.csv' }, { jobId: 'same' })),
    ).resolves.toBe('invalid_request');
    await expect(first).resolves.toMatchObject({ rowCount: 200_000 });
  });
});
