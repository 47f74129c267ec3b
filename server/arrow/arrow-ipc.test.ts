import {
  Bool,
  DateDay,
  Dictionary,
  Field,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Union,
  UnionMode,
  Utf8,
  makeData,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ArrowFormatError, normalizeArrowIpc, readArrowIpcSummary } from './index.ts';

function sampleTable() {
  return new Table({
    id: vectorFromArray([1, 2, 3], new Int32()),
    label: vectorFromArray(['a', null, 'c']),
    score: vectorFromArray([0.5, 1.5, 2.5], new Float64()),
    ok: vectorFromArray([true, false, null], new Bool()),
    day: vectorFromArray([new Date('2024-01-01T00:00:00Z'), null, null], new DateDay()),
    at: vectorFromArray([Date.UTC(2024, 0, 2, 3, 4, 5, 6), null, 0], new TimestampMillisecond()),
  });
}

function refusal(bytes: Uint8Array): ArrowFormatError {
  try {
    normalizeArrowIpc(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ArrowFormatError);
    expect((error as ArrowFormatError).code).toBe('invalid_arrow');
    return error as ArrowFormatError;
  }
  throw new Error('expected the bytes to be refused');
}

/** A one-column batch whose metadata claims `length` rows over the given buffers. */
function lyingStream(type: Int32 | Utf8, length: number, buffers: Record<string, unknown>) {
  const schema = new Schema([new Field('x', type, true)]);
  const column = makeData({ type, length, nullCount: 0, ...buffers } as Parameters<
    typeof makeData
  >[0]);
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: [column] }),
  );
  return tableToIPC(new Table(schema, [batch]), 'stream');
}

describe('normalizeArrowIpc', () => {
  it('accepts the IPC file and the IPC stream format and returns the same stream for both', () => {
    const table = sampleTable();
    const fromFile = normalizeArrowIpc(tableToIPC(table, 'file'));
    const fromStream = normalizeArrowIpc(tableToIPC(table, 'stream'));
    expect(fromFile.rowCount).toBe(3);
    expect(fromFile.columns).toEqual([
      { name: 'id', type: 'int32' },
      { name: 'label', type: 'dictionary<utf8>' },
      { name: 'score', type: 'float64' },
      { name: 'ok', type: 'bool' },
      { name: 'day', type: 'date32' },
      { name: 'at', type: 'timestamp[ms]' },
    ]);
    expect(fromStream.columns).toEqual(fromFile.columns);
    // A stream starts with a continuation token, a file with the magic "ARROW1".
    expect(Array.from(fromFile.ipc.subarray(0, 4))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(fromStream.ipc).toEqual(fromFile.ipc);
  });

  it('keeps every value', () => {
    const rows = readArrowIpcSummary(normalizeArrowIpc(tableToIPC(sampleTable())).ipc).rows();
    expect(rows).toEqual([
      [1, 'a', 0.5, true, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-02T03:04:05.006Z')],
      [2, null, 1.5, false, null, null],
      [3, 'c', 2.5, null, null, new Date(0)],
    ]);
  });

  it('accepts a stream of a schema and no batches', () => {
    const schema = new Schema([new Field('n', new Int32(), true)]);
    const empty = tableToIPC(new Table(schema), 'stream');
    const result = normalizeArrowIpc(empty);
    expect(result).toMatchObject({ rowCount: 0, columns: [{ name: 'n', type: 'int32' }] });
  });

  it('refuses empty input, garbage and truncated files and streams', () => {
    const stream = tableToIPC(sampleTable(), 'stream');
    const file = tableToIPC(sampleTable(), 'file');
    expect(refusal(new Uint8Array()).message).toMatch(/empty/);
    expect(refusal(new TextEncoder().encode('id,name\n1,x\n')).message).toMatch(
      /not a valid Arrow IPC file or stream/,
    );
    expect(refusal(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256)).message).toMatch(
      /not a valid Arrow/,
    );
    refusal(stream.subarray(0, stream.length - 20));
    refusal(stream.subarray(0, stream.length / 2));
    expect(refusal(file.subarray(0, file.length / 2)).message).toMatch(/damaged or cut short/);
  });

  it('refuses a batch that claims more rows than its buffers hold', () => {
    const short = lyingStream(new Int32(), 10, { data: Int32Array.from([1, 2, 3]) });
    expect(refusal(short).message).toBe('Column "x" is malformed: fewer values than rows.');
  });

  it('refuses text offsets that point past the data, and text that is not UTF-8', () => {
    const past = lyingStream(new Utf8(), 2, {
      valueOffsets: Int32Array.from([0, 1, 400]),
      data: Uint8Array.from([0x61, 0x62]),
    });
    expect(refusal(past).message).toBe(
      'Column "x" is malformed: an offset points past the end of its data.',
    );
    const latin1 = lyingStream(new Utf8(), 1, {
      valueOffsets: Int32Array.from([0, 2]),
      data: Uint8Array.from([0xf6, 0xdf]),
    });
    expect(refusal(latin1).message).toBe('Column "x" is malformed: its text is not valid UTF-8.');
  });

  it('refuses dictionary indices outside the dictionary', () => {
    const type = new Dictionary(new Utf8(), new Int32());
    const dictionary = vectorFromArray(['only'], new Utf8());
    const schema = new Schema([new Field('x', type, true)]);
    const column = makeData({ type, length: 1, nullCount: 0, data: Int32Array.of(5), dictionary });
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children: [column] }),
    );
    const bytes = tableToIPC(new Table(schema, [batch]), 'stream');
    expect(refusal(bytes).message).toBe(
      'Column "x" is malformed: a dictionary index is out of range.',
    );
  });

  it('refuses types it does not check instead of passing them on', () => {
    const type = new Union(UnionMode.Sparse, [0], [new Field('i', new Int32(), true)]);
    const schema = new Schema([new Field('u', type, true)]);
    const child = makeData({ type: new Int32(), length: 1, nullCount: 0, data: Int32Array.of(1) });
    const column = makeData({ type, length: 1, typeIds: Int8Array.of(0), children: [child] });
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children: [column] }),
    );
    const bytes = tableToIPC(new Table(schema, [batch]), 'stream');
    expect(refusal(bytes).message).toMatch(/type union<int32> is not supported/);
  });
});

describe('readArrowIpcSummary', () => {
  it('limits the rows it returns', () => {
    const summary = readArrowIpcSummary(tableToIPC(sampleTable()));
    expect(summary.rowCount).toBe(3);
    expect(summary.rows(1)).toHaveLength(1);
    expect(summary.rows(0)).toEqual([]);
  });

  it('reads floats and nulls as they were written', () => {
    const table = new Table({ x: vectorFromArray([1.25, null], new Float64()) });
    expect(readArrowIpcSummary(tableToIPC(table)).rows()).toEqual([[1.25], [null]]);
  });
});
