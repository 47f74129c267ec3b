/**
 * The engine as the worker serves it: files and bytes of every format opened, views made and
 * composed, answers as Arrow IPC, loads cancelled, plugins' results added as new tables that
 * leave the user's table as it was, and every malformed or hostile request refused with a typed
 * error that leaves the engine healthy.
 */
import {
  float64,
  int32,
  list,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
  utf8,
  type DataType,
} from '@uwdata/flechette';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { ipcToTable, tableToIpc } from './arrow/index.ts';
import { NumberBuilder, Utf8Builder } from './columns/column-builder.ts';
import { valueAt, type ColumnTable } from './columns/column-data.ts';
import { createEngine } from './engine.ts';
import { EngineError } from './engine-error.ts';
import type {
  AppendColumnsOptions,
  ArrowBytes,
  EngineApi,
  EngineErrorCode,
  LoadProgress,
} from './protocol.ts';

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

/** A plugin's result as a plugin's own Arrow library writes it: Flechette, stream format. */
function resultBytes(
  columns: Record<string, unknown[]>,
  types: Record<string, DataType> = {},
): ArrayBuffer {
  const written = tableToIPC(tableFromArrays(columns, { types }), { format: 'stream' })!;
  return written.slice().buffer as ArrayBuffer;
}

const STATS: AppendColumnsOptions = { label: 'enclave.stats' };

describe('engine: plugin results', () => {
  it("adds a result's columns as a new table, labelled, and leaves the user's table as it was", async () => {
    const engine = createEngine();
    const table = await openPlates(engine);
    const before = new Uint8Array((await engine.exportArrow(table.tableId)).ipc);

    const appended = await engine.appendColumns(
      table.tableId,
      resultBytes(
        { z: [0.1, 0.2, 0.3, null, 0.5], well: ['w1', 'w2', 'w3', 'w4', 'w5'] },
        { z: float64(), well: utf8() },
      ),
      STATS,
    );
    expect(appended.tableId).not.toBe(table.tableId);
    expect(appended).toMatchObject({ name: 'plates.csv', rowCount: 5 });
    expect(appended.columns.slice(0, 4)).toEqual(table.columns);
    expect(appended.columns.slice(4)).toEqual([
      { name: 'z', type: 'float', nullCount: 1, source: { plugin: 'enclave.stats' } },
      {
        name: 'enclave.stats: well',
        type: 'string',
        nullCount: 0,
        source: { plugin: 'enclave.stats' },
      },
    ]);
    expect(appended.report).toMatchObject({ format: 'arrow', rows: 5, warningCount: 1 });
    expect(appended.report?.warnings[0]).toMatchObject({
      kind: 'renamed',
      column: 'enclave.stats: well',
    });

    // The old table answers as before, bit for bit, and the new one holds its columns unchanged.
    expect(new Uint8Array((await engine.exportArrow(table.tableId)).ipc)).toEqual(before);
    const rows = decoded(await engine.rows(appended.tableId, 0, 10));
    const original = decoded(await engine.rows(table.tableId, 0, 10));
    for (const name of ['plate', 'well', 'signal', 'active']) {
      expect(column(rows, name)).toEqual(column(original, name));
    }
    expect(column(rows, 'enclave.stats: well')).toEqual(['w1', 'w2', 'w3', 'w4', 'w5']);

    // Pages and exports carry the label as field metadata; the user's columns carry none.
    const fields = tableFromIPC((await engine.exportArrow(appended.tableId)).ipc).schema.fields;
    expect(fields.map((field) => field.metadata?.get('enclave.plugin') ?? null)).toEqual([
      null,
      null,
      null,
      null,
      'enclave.stats',
      'enclave.stats',
    ]);

    // Queries run on the new table, the plugin's columns included.
    const low = await engine.query(appended.tableId, {
      filter: { op: 'lt', column: 'z', value: 0.25 },
    });
    expect(low.rowCount).toBe(2);
  });

  it('adds results one after another, each run renamed anew, and keeps every table', async () => {
    const engine = createEngine();
    const table = await openPlates(engine);
    const first = await engine.appendColumns(
      table.tableId,
      resultBytes({ mean: [1, 2, 3, 4, 5] }),
      STATS,
    );
    const second = await engine.appendColumns(
      first.tableId,
      resultBytes({ mean: [6, 7, 8, 9, 10] }),
      STATS,
    );
    expect(second.columns.map((entry) => entry.name).slice(4)).toEqual([
      'mean',
      'enclave.stats: mean',
    ]);
    for (const id of [table.tableId, first.tableId, second.tableId]) {
      await expect(engine.rows(id, 0, 1)).resolves.toMatchObject({ rows: 1 });
    }
    await engine.drop(table.tableId);
    expect(column(decoded(await engine.rows(second.tableId, 0, 5)), 'plate')).toEqual([
      'P1',
      'P1',
      'P2',
      'P2',
      'P3',
    ]);
  });

  it("adds a result made on a view to the view's rows, in the view's order", async () => {
    const engine = createEngine();
    const table = await openPlates(engine);
    const view = await engine.query(table.tableId, {
      filter: { op: 'eq', column: 'active', value: true },
      sort: [{ column: 'signal', direction: 'desc' }],
    });
    const appended = await engine.appendColumns(
      view.viewId,
      resultBytes({ rank: [1, 2, 3] }, { rank: int32() }),
      STATS,
    );
    expect(appended.rowCount).toBe(3);
    const rows = decoded(await engine.rows(appended.tableId, 0, 10));
    expect(column(rows, 'signal')).toEqual([2, 1.25, 0.5]);
    expect(column(rows, 'rank')).toEqual([1, 2, 3]);
    await expect(
      codeOf(engine.appendColumns(view.viewId, resultBytes({ rank: [1, 2, 3, 4, 5] }), STATS)),
    ).resolves.toBe('invalid_request');
  });

  it('adds a million-row result to a million-row table', async () => {
    const engine = createEngine();
    const rows = 1_000_000;
    const numbers = new NumberBuilder('float');
    for (let row = 0; row < rows; row++) numbers.append(row * 0.5);
    const bytes = tableToIpc({ length: rows, columns: [{ name: 'x', data: numbers.finish() }] });
    const table = await engine.open(
      { kind: 'bytes', bytes: bytes.slice().buffer as ArrayBuffer, name: 'big.arrow' },
      { jobId: 'big' },
    );
    const doubled = new Float64Array(rows);
    for (let row = 0; row < rows; row++) doubled[row] = row;
    const result = tableToIpc({
      length: rows,
      columns: [
        {
          name: 'y',
          data: { kind: 'number', type: 'float', length: rows, values: doubled, validity: null },
        },
      ],
    });
    const appended = await engine.appendColumns(table.tableId, result.buffer as ArrayBuffer, STATS);
    expect(appended.rowCount).toBe(rows);
    const tail = decoded(await engine.rows(appended.tableId, rows - 2, 2));
    expect(column(tail, 'x')).toEqual([(rows - 2) * 0.5, (rows - 1) * 0.5]);
    expect(column(tail, 'y')).toEqual([rows - 2, rows - 1]);
  });

  it('opens a result as a new table labelled with its plugin', async () => {
    const engine = createEngine();
    const info = await engine.open(
      {
        kind: 'bytes',
        bytes: resultBytes({ compound: ['a', 'b'], mw: [180.16, 194.19] }),
        name: 'Weights',
      },
      { jobId: 'result', label: 'enclave.chem' },
    );
    expect(info).toMatchObject({
      name: 'Weights',
      rowCount: 2,
      source: { plugin: 'enclave.chem' },
      report: { format: 'arrow' },
    });
    expect(info.columns.map((entry) => entry.source)).toEqual([
      { plugin: 'enclave.chem' },
      { plugin: 'enclave.chem' },
    ]);
    const plain = await engine.open(
      { kind: 'bytes', bytes: resultBytes({ x: [1] }), name: 'user.arrow' },
      { jobId: 'plain' },
    );
    expect(plain.source).toBeUndefined();
    expect(plain.columns[0]?.source).toBeUndefined();
  });

  it('checks a result opened as a table like one added as columns', async () => {
    const engine = createEngine();
    const open = (bytes: ArrayBuffer, options: object = {}) =>
      engine.open(
        { kind: 'bytes', bytes, name: 'r' },
        { jobId: crypto.randomUUID(), label: 'enclave.chem', ...options },
      );
    await expect(codeOf(open(bytesOf('a,b\n1,2\n')))).resolves.toBe('parse_error');
    await expect(codeOf(open(resultBytes({ x: [[1]] }, { x: list(int32()) })))).resolves.toBe(
      'type_mismatch',
    );
    await expect(codeOf(open(resultBytes({ x: [1] }), { format: 'csv' }))).resolves.toBe(
      'invalid_request',
    );
    await expect(codeOf(open(resultBytes({ x: [1] }), { label: 'Enclave Stats' }))).resolves.toBe(
      'invalid_request',
    );
    // A file past the limit is refused by its size, before a byte of it is read.
    class HugeFile extends Blob {
      override get size() {
        return 2 ** 40;
      }
      override slice(): Blob {
        throw new Error('read');
      }
    }
    await expect(
      codeOf(
        engine.open(
          { kind: 'file', file: new HugeFile([]), name: 'huge' },
          { jobId: 'huge', label: 'enclave.chem' },
        ),
      ),
    ).resolves.toBe('too_large');
  });

  const hostile: [
    string,
    EngineErrorCode,
    (engine: EngineApi, tableId: string) => Promise<unknown>,
  ][] = [
    [
      'a result of fewer rows',
      'invalid_request',
      (e, id) => e.appendColumns(id, resultBytes({ x: [1, 2, 3, 4] }), STATS),
    ],
    [
      'a result of more rows',
      'invalid_request',
      (e, id) => e.appendColumns(id, resultBytes({ x: [1, 2, 3, 4, 5, 6] }), STATS),
    ],
    [
      'a result without columns',
      'invalid_request',
      (e, id) => e.appendColumns(id, resultBytes({}), STATS),
    ],
    [
      'a result of 65 columns',
      'invalid_request',
      (e, id) =>
        e.appendColumns(
          id,
          resultBytes(
            Object.fromEntries(Array.from({ length: 65 }, (_, k) => [`c${k}`, [1, 2, 3, 4, 5]])),
          ),
          STATS,
        ),
    ],
    [
      'a result over maxBytes',
      'too_large',
      (e, id) =>
        e.appendColumns(id, resultBytes({ x: [1, 2, 3, 4, 5] }), { ...STATS, maxBytes: 64 }),
    ],
    [
      'garbage bytes',
      'parse_error',
      (e, id) => e.appendColumns(id, bytesOf('mean\n1\n2\n3\n4\n5\n'), STATS),
    ],
    [
      'a detached buffer',
      'parse_error',
      (e, id) => {
        const bytes = resultBytes({ x: [1, 2, 3, 4, 5] });
        structuredClone(bytes, { transfer: [bytes] });
        return e.appendColumns(id, bytes, STATS);
      },
    ],
    [
      'a truncated result',
      'parse_error',
      (e, id) => {
        const whole = resultBytes({ x: [1, 2, 3, 4, 5] });
        return e.appendColumns(id, whole.slice(0, whole.byteLength - 40), STATS);
      },
    ],
    [
      'a nested column',
      'type_mismatch',
      (e, id) =>
        e.appendColumns(
          id,
          resultBytes({ x: [[1], [2], [], null, [3]] }, { x: list(int32()) }),
          STATS,
        ),
    ],
    [
      'a blank column name',
      'invalid_request',
      (e, id) => e.appendColumns(id, resultBytes({ '': [1, 2, 3, 4, 5] }), STATS),
    ],
    [
      'a column name of 201 characters',
      'invalid_request',
      (e, id) => e.appendColumns(id, resultBytes({ ['m'.repeat(201)]: [1, 2, 3, 4, 5] }), STATS),
    ],
    [
      'bytes that are not an ArrayBuffer',
      'invalid_request',
      (e, id) =>
        e.appendColumns(id, new Uint8Array(resultBytes({ x: [1, 2, 3, 4, 5] })) as never, STATS),
    ],
    [
      'a SharedArrayBuffer',
      'invalid_request',
      (e, id) => e.appendColumns(id, new SharedArrayBuffer(8) as never, STATS),
    ],
    [
      'a label that is no plugin id',
      'invalid_request',
      (e, id) => e.appendColumns(id, resultBytes({ x: [1, 2, 3, 4, 5] }), { label: '<script>' }),
    ],
    [
      'a missing label',
      'invalid_request',
      (e, id) => e.appendColumns(id, resultBytes({ x: [1, 2, 3, 4, 5] }), {} as never),
    ],
    [
      'options with an unknown field',
      'invalid_request',
      (e, id) =>
        e.appendColumns(id, resultBytes({ x: [1, 2, 3, 4, 5] }), {
          ...STATS,
          replace: true,
        } as never),
    ],
    [
      'maxBytes above 256 MiB',
      'invalid_request',
      (e, id) =>
        e.appendColumns(id, resultBytes({ x: [1, 2, 3, 4, 5] }), { ...STATS, maxBytes: 2 ** 31 }),
    ],
    [
      'a table that is not held',
      'not_found',
      (e) => e.appendColumns('no-such-table', resultBytes({ x: [1, 2, 3, 4, 5] }), STATS),
    ],
  ];

  it.each(hostile)(
    'refuses %s (%s), keeps the table as it was and stays healthy',
    async (_name, code, request) => {
      const engine = createEngine();
      const table = await openPlates(engine);
      const before = new Uint8Array((await engine.exportArrow(table.tableId)).ipc);
      await expect(codeOf(request(engine, table.tableId))).resolves.toBe(code);
      expect(new Uint8Array((await engine.exportArrow(table.tableId)).ipc)).toEqual(before);
      await expect(
        engine.appendColumns(table.tableId, resultBytes({ ok: [1, 2, 3, 4, 5] }), STATS),
      ).resolves.toMatchObject({ rowCount: 5 });
    },
  );
});
