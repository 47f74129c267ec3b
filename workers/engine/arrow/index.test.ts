/**
 * Tests of the Arrow wrapper on real IPC bytes: every kind of the model survives
 * tableToIpc → ipcToTable exactly (random tables with nulls, through fast-check), apache-arrow
 * reads what we write, we read what apache-arrow writes (file and stream formats, many batches,
 * changing dictionaries, the types we convert), columns of the model's layout are views of the
 * input rather than copies, and damaged bytes (cut, overwritten, lying lengths and offsets,
 * misaligned buffers, codes and offsets pointing nowhere, in flat and nested columns) give a
 * `parse_error`, at load or, for the checks deferred to it, at the first read of the buffer.
 */
import {
  Binary,
  Bool,
  DateDay,
  Float64,
  DateMillisecond,
  Decimal,
  Dictionary,
  DurationMillisecond,
  Field,
  Float16,
  Float32,
  Int16,
  Int32,
  Int64,
  Int8,
  LargeUtf8,
  List,
  makeData,
  makeVector,
  Null,
  RecordBatch,
  RecordBatchReader,
  Schema,
  SparseUnion,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  TimeMillisecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  valueAt,
  type CodeArray,
  type ColumnData,
  type ColumnTable,
  type NumberColumnData,
  type NumericArray,
} from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import {
  CATEGORY_MIN_DISTINCT,
  ipcToTable,
  PLUGIN_SOURCE_KEY,
  tableToIpc,
  TextColumnBuilder,
  type IpcLayout,
} from './index.ts';

type Cell = number | boolean | string | null;

function cellsOf(data: ColumnData): Cell[] {
  return Array.from({ length: data.length }, (_, row) => valueAt(data, row));
}

function columnOf(table: ColumnTable, name: string): ColumnData {
  const column = table.columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`no column ${name}`);
  return column.data;
}

/** A validity bitmap with the given rows null (bits past the end clear, as builders make). */
function validityWith(length: number, nullRows: readonly boolean[]): Uint8Array | null {
  if (!nullRows.some(Boolean)) return null;
  const bits = new Uint8Array((length + 7) >> 3);
  for (let row = 0; row < length; row++) if (!nullRows[row]) bits[row >> 3]! |= 1 << (row & 7);
  return bits;
}

function expectEngineError(run: () => unknown, code: EngineError['code']): EngineError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(code);
    return error as EngineError;
  }
  throw new Error('expected an EngineError');
}

function errorCodeOf(run: () => unknown): EngineError['code'] | 'none' {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
  return 'none';
}

// ---------------------------------------------------------------------------------------------
// Random tables of every kind the model has, with the typed arrays it may hold them in.

interface NumberSpec {
  readonly type: NumberColumnData['type'];
  readonly make: (values: number[]) => NumericArray;
  readonly value: fc.Arbitrary<number>;
}

const numberSpecs: NumberSpec[] = [
  { type: 'int', make: (v) => Int32Array.from(v), value: fc.integer() },
  { type: 'int', make: (v) => Int8Array.from(v), value: fc.integer({ min: -128, max: 127 }) },
  { type: 'int', make: (v) => Uint16Array.from(v), value: fc.integer({ min: 0, max: 65_535 }) },
  {
    type: 'int',
    make: (v) => Uint32Array.from(v),
    value: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  },
  { type: 'int', make: (v) => Float64Array.from(v), value: fc.maxSafeInteger() },
  // An int column holding something Int64 cannot: kept through the field's metadata.
  { type: 'int', make: (v) => Float64Array.from(v), value: fc.constantFrom(0.5, 2 ** 70, -3) },
  { type: 'float', make: (v) => Float64Array.from(v), value: fc.double() },
  { type: 'float', make: (v) => Float32Array.from(v), value: fc.float() },
  {
    type: 'float',
    make: (v) => Int16Array.from(v),
    value: fc.integer({ min: -32_768, max: 32_767 }),
  },
  { type: 'date', make: (v) => Int32Array.from(v), value: fc.integer({ min: -1e6, max: 1e6 }) },
  { type: 'date', make: (v) => Float64Array.from(v), value: fc.integer({ min: -1e6, max: 1e6 }) },
  {
    type: 'datetime',
    make: (v) => Float64Array.from(v),
    value: fc.integer({ min: -(2 ** 45), max: 2 ** 45 }),
  },
  {
    // Microseconds, as read from Parquet or Arrow in µs.
    type: 'datetime',
    make: (v) => Float64Array.from(v),
    value: fc.integer({ min: -(2 ** 50), max: 2 ** 50 }).map((micros) => micros / 1000),
  },
  { type: 'datetime', make: (v) => Float64Array.from(v), value: fc.double({ noNaN: true }) },
];

const codeArrays: ((codes: number[]) => CodeArray)[] = [
  (codes) => Int32Array.from(codes),
  (codes) => Int8Array.from(codes),
  (codes) => Uint16Array.from(codes),
  (codes) => Uint32Array.from(codes),
];

const text = fc.string({ unit: 'grapheme', maxLength: 6 });

function columnArbitrary(length: number): fc.Arbitrary<ColumnData> {
  const nulls = fc.array(fc.boolean(), { minLength: length, maxLength: length });
  const numbers = fc
    .constantFrom(...numberSpecs)
    .chain((spec) =>
      fc.tuple(
        fc.constant(spec),
        fc.array(spec.value, { minLength: length, maxLength: length }),
        nulls,
      ),
    )
    .map(([spec, values, nullRows]): ColumnData => ({
      kind: 'number',
      type: spec.type,
      length,
      values: spec.make(values.map((value, row) => (nullRows[row] ? 0 : value))),
      validity: validityWith(length, nullRows),
    }));
  const bools = fc
    .tuple(fc.array(fc.boolean(), { minLength: length, maxLength: length }), nulls)
    .map(([values, nullRows]): ColumnData => ({
      kind: 'bool',
      type: 'bool',
      length,
      bits:
        validityWith(
          length,
          values.map((value) => !value),
        ) ?? new Uint8Array((length + 7) >> 3).fill(0xff),
      validity: validityWith(length, nullRows),
    }));
  const strings = fc
    .tuple(fc.array(text, { minLength: length, maxLength: length }), nulls)
    .map(([values, nullRows]): ColumnData => {
      const encoded = values.map((value, row) =>
        new TextEncoder().encode(nullRows[row] ? '' : value),
      );
      const offsets = new Int32Array(length + 1);
      encoded.forEach((bytes, row) => (offsets[row + 1] = offsets[row]! + bytes.length));
      const bytes = new Uint8Array(offsets[length]!);
      encoded.forEach((part, row) => bytes.set(part, offsets[row]!));
      return {
        kind: 'utf8',
        type: 'string',
        length,
        offsets,
        bytes,
        validity: validityWith(length, nullRows),
      };
    });
  const categories = fc
    .tuple(
      fc.uniqueArray(text, { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { minLength: length, maxLength: length }),
      fc.constantFrom(...codeArrays),
      nulls,
    )
    .map(([dictionary, picks, make, nullRows]): ColumnData => ({
      kind: 'dict',
      type: 'category',
      length,
      codes: make(picks.map((pick, row) => (nullRows[row] ? 0 : pick % dictionary.length))),
      dictionary,
      validity: validityWith(length, nullRows),
    }));
  return fc.oneof(numbers, bools, strings, categories);
}

const tableArbitrary: fc.Arbitrary<ColumnTable> = fc.nat({ max: 40 }).chain((length) =>
  fc.array(columnArbitrary(length), { maxLength: 6 }).map((datas) => ({
    length,
    columns: datas.map((data, index) => ({ name: `c${index}`, data })),
  })),
);

describe('tableToIpc → ipcToTable', () => {
  it('round-trips random tables of every kind exactly, nulls included', () => {
    fc.assert(
      fc.property(tableArbitrary, (table) => {
        const { table: back, warnings } = ipcToTable(tableToIpc(table));
        expect(warnings).toEqual([]);
        expect(back.length).toBe(table.length);
        expect(back.columns.map((column) => column.name)).toEqual(
          table.columns.map((column) => column.name),
        );
        back.columns.forEach((column, index) => {
          const original = table.columns[index]!.data;
          expect(column.data.kind).toBe(original.kind);
          expect(column.data.type).toBe(original.type);
          // Object.is-equality: NaN stays NaN and -0 stays -0.
          expect(cellsOf(column.data)).toEqual(cellsOf(original));
          if (original.kind === 'dict' && column.data.kind === 'dict') {
            expect(column.data.dictionary).toEqual(original.dictionary);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the typed arrays the builders make, and shares the bytes it read', () => {
    const table: ColumnTable = {
      length: 3,
      columns: [
        {
          name: 'count',
          data: {
            kind: 'number',
            type: 'int',
            length: 3,
            values: new Int32Array([1, 2, 3]),
            validity: null,
          },
        },
        {
          name: 'total',
          data: {
            kind: 'number',
            type: 'int',
            length: 3,
            values: new Float64Array([2 ** 40, -1, 0]),
            validity: null,
          },
        },
        {
          name: 'dose',
          data: {
            kind: 'number',
            type: 'float',
            length: 3,
            values: new Float64Array([0.5, 1, 2]),
            validity: null,
          },
        },
        {
          name: 'day',
          data: {
            kind: 'number',
            type: 'date',
            length: 3,
            values: new Int32Array([0, 1, 2]),
            validity: null,
          },
        },
        {
          name: 'at',
          data: {
            kind: 'number',
            type: 'datetime',
            length: 3,
            values: new Float64Array([0, 1000, 2000]),
            validity: null,
          },
        },
        {
          name: 'site',
          data: {
            kind: 'dict',
            type: 'category',
            length: 3,
            codes: new Int32Array([0, 1, 0]),
            dictionary: ['a', 'b'],
            validity: null,
          },
        },
      ],
    };
    const bytes = tableToIpc(table);
    const back = ipcToTable(bytes).table;
    const arrays = back.columns.map((column) =>
      column.data.kind === 'number'
        ? column.data.values
        : column.data.kind === 'dict'
          ? column.data.codes
          : null,
    );
    expect(arrays.map((array) => array?.constructor)).toEqual([
      Int32Array,
      Float64Array,
      Float64Array,
      Int32Array,
      Float64Array,
      Int32Array,
    ]);
    // Types whose layout is the model's are views of the IPC bytes, not copies.
    for (const index of [0, 2, 3, 5]) expect(arrays[index]!.buffer).toBe(bytes.buffer);
  });

  it('writes the Arrow types it documents, which apache-arrow reads back', () => {
    const table: ColumnTable = {
      length: 2,
      columns: [
        {
          name: 'n',
          data: {
            kind: 'number',
            type: 'int',
            length: 2,
            values: new Float64Array([2 ** 52, -5]),
            validity: null,
          },
        },
        {
          name: 'd',
          data: {
            kind: 'number',
            type: 'date',
            length: 2,
            values: new Int32Array([1, 19_000]),
            validity: null,
          },
        },
        {
          name: 't',
          data: {
            kind: 'number',
            type: 'datetime',
            length: 2,
            values: new Float64Array([1_700_000_000_123, 0]),
            validity: new Uint8Array([1]),
          },
        },
        {
          name: 'c',
          data: {
            kind: 'dict',
            type: 'category',
            length: 2,
            codes: new Int8Array([1, 0]),
            dictionary: ['x', 'y'],
            validity: null,
          },
        },
      ],
    };
    const arrow = tableFromIPC(tableToIpc(table));
    expect(arrow.schema.fields.map((field) => String(field.type))).toEqual([
      'Int64',
      'Date32<DAY>',
      'Timestamp<MILLISECOND>',
      'Dictionary<Int8, Utf8>',
    ]);
    expect(arrow.getChild('n')!.toArray()).toEqual(new BigInt64Array([2n ** 52n, -5n]));
    expect(arrow.getChild('t')!.get(0)).toBe(1_700_000_000_123);
    expect(arrow.getChild('t')!.get(1)).toBeNull();
    expect(arrow.getChild('c')!.toJSON()).toEqual(['y', 'x']);
  });

  it('writes a table without columns, and one without rows', () => {
    const empty = ipcToTable(tableToIpc({ length: 0, columns: [] })).table;
    expect(empty).toEqual({ length: 0, columns: [] });
    const noRows: ColumnTable = {
      length: 0,
      columns: [
        {
          name: 'a',
          data: {
            kind: 'utf8',
            type: 'string',
            length: 0,
            offsets: new Int32Array(1),
            bytes: new Uint8Array(0),
            validity: null,
          },
        },
      ],
    };
    const back = ipcToTable(tableToIpc(noRows)).table;
    expect(back.length).toBe(0);
    expect(back.columns[0]!.data.kind).toBe('utf8');
  });
});

describe('tableToIpc on memory the table shares', () => {
  const floats = (values: Float64Array, validity: Uint8Array | null = null): ColumnData => ({
    kind: 'number',
    type: 'float',
    length: values.length,
    values,
    validity,
  });
  const roundTrip = (columns: ColumnData[]) =>
    ipcToTable(
      tableToIpc({
        length: columns[0]!.length,
        columns: columns.map((data, index) => ({ name: `c${index}`, data })),
      }),
    ).table.columns.map((column) => cellsOf(column.data));

  it('writes one array held by two columns twice, whole', () => {
    const values = new Float64Array([1, 2, 3, 4]);
    expect(roundTrip([floats(values), floats(values)])).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ]);
  });

  it('writes columns over overlapping parts of one buffer as they are', () => {
    const values = new Float64Array([1, 2, 3, 4]);
    expect(roundTrip([floats(values.subarray(0, 2)), floats(values.subarray(1, 3))])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    const codes = new Int32Array([0, 1, 1, 0, 1, 0, 0, 1]);
    const dict = (from: number): ColumnData => ({
      kind: 'dict',
      type: 'category',
      length: 4,
      codes: codes.subarray(from, from + 4),
      dictionary: ['a', 'b'],
      validity: null,
    });
    expect(roundTrip([dict(0), dict(2), dict(0)])).toEqual([
      ['a', 'b', 'b', 'a'],
      ['b', 'a', 'b', 'a'],
      ['a', 'b', 'b', 'a'],
    ]);
  });

  it('writes one bitmap shared by several columns, and strings over shared bytes', () => {
    // 64 rows: the bitmap is 8 bytes, which apache-arrow would write without copying it.
    const validity = new Uint8Array(8).fill(0b1010_1010);
    const values = Float64Array.from({ length: 64 }, (_, row) => row);
    const expected = Array.from({ length: 64 }, (_, row) => (row % 2 ? row : null));
    // A bool column whose bits are its own validity puts the same bytes back to back.
    const flags: ColumnData = { kind: 'bool', type: 'bool', length: 64, bits: validity, validity };
    expect(roundTrip([floats(values, validity), flags, floats(values, validity)])).toEqual([
      expected,
      expected.map((value) => (value === null ? null : true)),
      expected,
    ]);
    const bytes = new TextEncoder().encode('abcd');
    const text = (offsets: number[]): ColumnData => ({
      kind: 'utf8',
      type: 'string',
      length: offsets.length - 1,
      offsets: Int32Array.from(offsets),
      bytes,
      validity: null,
    });
    expect(roundTrip([text([0, 2, 4]), text([0, 1, 3])])).toEqual([
      ['ab', 'cd'],
      ['a', 'bc'],
    ]);
  });

  it('answers in a buffer of its own, which can be transferred without detaching the table', () => {
    const values = new Float64Array([1, 2]);
    const ipc = tableToIpc({ length: 2, columns: [{ name: 'x', data: floats(values) }] });
    expect(ipc.buffer).not.toBe(values.buffer);
    expect([ipc.byteOffset, ipc.byteLength]).toEqual([0, ipc.buffer.byteLength]);
    const page = ipcToTable(ipc).table;
    const readBack = ipcToTable(tableToIpc(page)).table;
    expect(cellsOf(columnOf(readBack, 'x'))).toEqual([1, 2]);
  });
});

describe('tableToIpc on a page of a large category', () => {
  const dictionary = Array.from({ length: 5_000 }, (_, code) => `s${code}`);
  const page = (codes: number[], nullRows: boolean[] = []): ColumnTable => ({
    length: codes.length,
    columns: [
      {
        name: 'site',
        data: {
          kind: 'dict',
          type: 'category',
          length: codes.length,
          codes: Int32Array.from(codes),
          dictionary,
          validity: validityWith(codes.length, nullRows),
        },
      },
    ],
  });
  const writtenDictionary = (bytes: Uint8Array) =>
    tableFromIPC(bytes).getChild('site')!.data[0]!.dictionary!.toArray() as string[];

  it('writes only the entries the rows use, in dictionary order', () => {
    const bytes = tableToIpc(page([4000, 7, 123, 4000], [false, false, true, false]));
    expect(writtenDictionary(bytes)).toEqual(['s7', 's4000']);
    expect(cellsOf(columnOf(ipcToTable(bytes).table, 'site'))).toEqual([
      's4000',
      's7',
      null,
      's4000',
    ]);
  });

  it('writes a dictionary whole when the column is not much shorter than it', () => {
    const codes = Array.from({ length: 3_000 }, (_, row) => row);
    expect(writtenDictionary(tableToIpc(page(codes)))).toHaveLength(5_000);
  });
});

// ---------------------------------------------------------------------------------------------
// IPC written by apache-arrow itself.

function tableOf(columns: Record<string, Vector>): Table {
  return new Table(columns);
}

/** A vector of a 64-bit type straight from its values (null where the value is null). */
function int64Vector(
  type: TimestampNanosecond | DurationMillisecond | Int64 | Uint64,
  values: (bigint | null)[],
): Vector {
  const data =
    type instanceof Uint64 ? new BigUint64Array(values.length) : new BigInt64Array(values.length);
  values.forEach((value, row) => (data[row] = value ?? 0n));
  const nullRows = values.map((value) => value === null);
  const nullBitmap = validityWith(values.length, nullRows) ?? undefined;
  return makeVector(
    makeData({
      type: type as Int64,
      length: values.length,
      nullCount: nullRows.filter(Boolean).length,
      data: data as BigInt64Array,
      ...(nullBitmap ? { nullBitmap } : {}),
    }),
  );
}

describe('ipcToTable on bytes apache-arrow wrote', () => {
  const written = tableOf({
    i8: vectorFromArray([1, -2, null], new Int8()),
    i16: vectorFromArray([300, null, -300], new Int16()),
    u32: vectorFromArray([4_000_000_000, 0, null], new Uint32()),
    f32: vectorFromArray([0.5, null, -2], new Float32()),
    f16: vectorFromArray([1.5, -0.25, null], new Float16()),
    flag: vectorFromArray([true, null, false], new Bool()),
    name: vectorFromArray(['α', null, 'b'], new Utf8()),
    large: vectorFromArray(['x', 'yy', null], new LargeUtf8()),
    kind: vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Uint8())),
    day: vectorFromArray([0, 86_400_000, null], new DateDay()),
    day64: vectorFromArray([86_400_000, 1_000, null], new DateMillisecond()),
    // apache-arrow's builders take milliseconds and store them in the type's unit.
    sec: vectorFromArray([1_000, null, -1_000], new TimestampSecond()),
    micro: vectorFromArray([1.5, 0.002, null], new TimestampMicrosecond()),
  });

  for (const format of ['file', 'stream'] as const) {
    it(`reads the ${format} format with the types converted as documented`, () => {
      const { table, warnings } = ipcToTable(tableToIPC(written, format));
      expect(warnings).toEqual([]);
      expect(table.length).toBe(3);
      const expected: Record<string, [string, Cell[]]> = {
        i8: ['int', [1, -2, null]],
        i16: ['int', [300, null, -300]],
        u32: ['int', [4_000_000_000, 0, null]],
        f32: ['float', [0.5, null, -2]],
        f16: ['float', [1.5, -0.25, null]],
        flag: ['bool', [true, null, false]],
        name: ['string', ['α', null, 'b']],
        large: ['string', ['x', 'yy', null]],
        kind: ['category', ['a', 'b', 'a']],
        day: ['date', [0, 1, null]],
        day64: ['datetime', [86_400_000, 1_000, null]],
        sec: ['datetime', [1_000, null, -1_000]],
        micro: ['datetime', [1.5, 0.002, null]],
      };
      for (const [name, [type, cells]] of Object.entries(expected)) {
        const data = columnOf(table, name);
        expect([name, data.type]).toEqual([name, type]);
        expect([name, cellsOf(data)]).toEqual([name, cells]);
      }
    });
  }

  it('joins many record batches into one chunk per column', () => {
    const batches = [0, 1, 2].map(
      (batch) =>
        tableOf({
          n: vectorFromArray([batch * 10, null, batch * 10 + 2], new Int32()),
          b: vectorFromArray([batch === 1, null, true], new Bool()),
          s: vectorFromArray([`r${batch}`, '', null], new Utf8()),
          big: int64Vector(new Int64(), [BigInt(batch), null, -1n]),
        }).batches[0]!,
    );
    for (const format of ['file', 'stream'] as const) {
      const { table } = ipcToTable(tableToIPC(new Table(batches), format));
      expect(table.length).toBe(9);
      expect(cellsOf(columnOf(table, 'n'))).toEqual([0, null, 2, 10, null, 12, 20, null, 22]);
      expect(cellsOf(columnOf(table, 'b'))).toEqual([
        false,
        null,
        true,
        true,
        null,
        true,
        false,
        null,
        true,
      ]);
      expect(cellsOf(columnOf(table, 's'))).toEqual([
        'r0',
        '',
        null,
        'r1',
        '',
        null,
        'r2',
        '',
        null,
      ]);
      expect(cellsOf(columnOf(table, 'big'))).toEqual([0, null, -1, 1, null, -1, 2, null, -1]);
    }
  });

  it('merges dictionaries that change from batch to batch', () => {
    const type = new Dictionary(new Utf8(), new Int32(), 7);
    const field = new Field('site', type, true);
    const schema = new Schema([field]);
    const batchOf = (values: (string | null)[]) => {
      const vector = vectorFromArray(values, new Dictionary(new Utf8(), new Int32(), 7));
      return new RecordBatch(
        schema,
        makeData({
          type: new Struct([field]),
          length: values.length,
          nullCount: 0,
          children: [vector.data[0]!],
        }),
      );
    };
    const bytes = tableToIPC(
      new Table([batchOf(['b', 'a', null]), batchOf(['c', 'a']), batchOf(['a'])]),
      'stream',
    );
    const { table } = ipcToTable(bytes);
    const data = columnOf(table, 'site');
    expect(data.kind).toBe('dict');
    expect(cellsOf(data)).toEqual(['b', 'a', null, 'c', 'a', 'a']);
    if (data.kind === 'dict') expect(new Set(data.dictionary).size).toBe(data.dictionary.length);
  });

  it('reads data sliced at an odd offset', () => {
    const long = tableOf({
      n: vectorFromArray([1, null, 3, 4, null, 6, 7, 8, 9, null, 11], new Int32()),
      b: vectorFromArray(
        [true, false, true, null, true, false, false, true, true, false, true],
        new Bool(),
      ),
      s: vectorFromArray(['a', 'bb', null, 'ccc', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], new Utf8()),
    });
    const { table } = ipcToTable(tableToIPC(long.slice(3, 10), 'stream'));
    expect(cellsOf(columnOf(table, 'n'))).toEqual([4, null, 6, 7, 8, 9, null]);
    expect(cellsOf(columnOf(table, 'b'))).toEqual([null, true, false, false, true, true, false]);
    expect(cellsOf(columnOf(table, 's'))).toEqual(['ccc', 'd', 'e', 'f', 'g', 'h', 'i']);
  });

  it('warns when a 64-bit integer passes 2^53, and not for nulls that hold anything', () => {
    const { table, warnings } = ipcToTable(
      tableToIPC(tableOf({ n: int64Vector(new Int64(), [1n, 2n ** 60n + 1n, null]) })),
    );
    expect(cellsOf(columnOf(table, 'n'))).toEqual([1, 2 ** 60, null]);
    expect(warnings).toEqual([
      expect.objectContaining({
        kind: 'precision-lost',
        column: 'n',
        message: expect.stringContaining('row 2'),
      }),
    ]);
    const unsigned = ipcToTable(
      tableToIPC(tableOf({ u: int64Vector(new Uint64(), [2n ** 64n - 1n, 3n]) })),
    );
    expect(cellsOf(columnOf(unsigned.table, 'u'))).toEqual([2 ** 64, 3]);
    expect(unsigned.warnings.map((warning) => warning.kind)).toEqual(['precision-lost']);
  });

  it('keeps nanosecond timestamps to the microsecond and says when it dropped some', () => {
    const exact = ipcToTable(
      tableToIPC(tableOf({ t: int64Vector(new TimestampNanosecond(), [1_000_000n, -2_000n]) })),
    );
    expect(cellsOf(columnOf(exact.table, 't'))).toEqual([1, -0.002]);
    expect(exact.warnings).toEqual([]);
    const fine = ipcToTable(
      tableToIPC(tableOf({ t: int64Vector(new TimestampNanosecond(), [1_000_001n]) })),
    );
    expect(fine.warnings.map((warning) => warning.kind)).toEqual(['precision-lost']);
  });

  it('reads decimals as numbers', () => {
    // 123.45 and -0.5 at scale 2: 12345 and -50 in four little-endian 32-bit words each.
    const words = new Uint32Array([
      12_345,
      0,
      0,
      0,
      2 ** 32 - 50,
      2 ** 32 - 1,
      2 ** 32 - 1,
      2 ** 32 - 1,
    ]);
    const decimal = makeVector(
      makeData({ type: new Decimal(2, 10, 128), length: 2, nullCount: 0, data: words }),
    );
    const { table, warnings } = ipcToTable(tableToIPC(tableOf({ price: decimal })));
    expect(columnOf(table, 'price').type).toBe('float');
    expect(cellsOf(columnOf(table, 'price'))).toEqual([123.45, -0.5]);
    expect(warnings).toEqual([]);
  });

  it('keeps nested and binary values as text, times as counts, and Null as nulls', () => {
    const { table, warnings } = ipcToTable(
      tableToIPC(
        tableOf({
          list: vectorFromArray([[1, 2], null, []], new List(new Field('item', new Int32(), true))),
          point: vectorFromArray(
            [{ x: 1, label: 'a' }, null, { x: 3, label: null }],
            new Struct([new Field('x', new Int32(), true), new Field('label', new Utf8(), true)]),
          ),
          blob: vectorFromArray(
            [new Uint8Array([0, 255]), null, new Uint8Array([16])],
            new Binary(),
          ),
          time: vectorFromArray([1_000, null, 0], new TimeMillisecond()),
          elapsed: int64Vector(new DurationMillisecond(), [5n, 6n, null]),
          nothing: makeVector(makeData({ type: new Null(), length: 3 })),
        }),
      ),
    );
    expect(cellsOf(columnOf(table, 'list'))).toEqual(['[1,2]', null, '[]']);
    expect(cellsOf(columnOf(table, 'point'))).toEqual([
      '{"x":1,"label":"a"}',
      null,
      '{"x":3,"label":null}',
    ]);
    expect(cellsOf(columnOf(table, 'blob'))).toEqual(['00ff', null, '10']);
    expect(cellsOf(columnOf(table, 'time'))).toEqual([1_000, null, 0]);
    expect(cellsOf(columnOf(table, 'elapsed'))).toEqual([5, 6, null]);
    expect(cellsOf(columnOf(table, 'nothing'))).toEqual([null, null, null]);
    expect(warnings.map((warning) => [warning.column, warning.kind])).toEqual([
      ['list', 'type-widened'],
      ['point', 'type-widened'],
      ['blob', 'type-widened'],
      ['time', 'type-widened'],
      ['elapsed', 'type-widened'],
    ]);
  });

  it('renames a second column of the same name', () => {
    const a = vectorFromArray([1], new Int32());
    const schema = new Schema([new Field('x', a.type, true), new Field('x', a.type, true)]);
    const batch = new RecordBatch(
      schema,
      makeData({
        type: new Struct(schema.fields),
        length: 1,
        nullCount: 0,
        children: [a.data[0]!, a.data[0]!],
      }),
    );
    const { table, warnings } = ipcToTable(tableToIPC(new Table([batch])));
    expect(table.columns.map((column) => column.name)).toEqual(['x', 'x_2']);
    expect(warnings).toEqual([expect.objectContaining({ kind: 'renamed', column: 'x_2' })]);
  });

  it('reads a stream that has a schema and no batches as empty columns of their types', () => {
    const schemaOnly = new Table(
      new Schema([
        new Field('n', new Int32()),
        new Field('s', new Utf8()),
        new Field('c', new Dictionary(new Utf8(), new Int32())),
      ]),
    );
    const { table } = ipcToTable(tableToIPC(schemaOnly, 'stream'));
    expect(table.length).toBe(0);
    expect(table.columns.map((column) => column.data.type)).toEqual(['int', 'string', 'category']);
  });

  it('reads bytes that do not start on an aligned offset', () => {
    const bytes = tableToIPC(tableOf({ n: vectorFromArray([1.5, 2.5], new Float32()) }));
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(cellsOf(columnOf(ipcToTable(shifted.subarray(1)).table, 'n'))).toEqual([1.5, 2.5]);
  });
});

// ---------------------------------------------------------------------------------------------
// Zero copy: what has the model's layout is read where it lies.

/** A one-batch table like the bench's, with a column of each layout the model shares. */
function layoutTable(rows: number): Table {
  const codes = Int32Array.from({ length: rows }, (_, row) => (row * 7) % 3);
  const cat = makeData({
    type: new Dictionary(new Utf8(), new Int32()),
    length: rows,
    nullCount: 0,
    data: codes,
    dictionary: vectorFromArray(['x', 'y', 'z'], new Utf8()),
  });
  return tableOf({
    cat: makeVector(cat),
    a: makeVector(Float64Array.from({ length: rows }, (_, row) => row / 4)),
    n: vectorFromArray(
      Array.from({ length: rows }, (_, row) => (row % 5 === 0 ? null : row)),
      new Int32(),
    ),
    s: vectorFromArray(
      Array.from({ length: rows }, (_, row) => `s${row}`),
      new Utf8(),
    ),
    ok: vectorFromArray(
      Array.from({ length: rows }, (_, row) => row % 2 === 0),
      new Bool(),
    ),
  });
}

/** Every buffer of a column, by the name the model gives it. */
function buffersOf(data: ColumnData): [string, ArrayBufferView][] {
  const validity: [string, ArrayBufferView][] = data.validity ? [['validity', data.validity]] : [];
  switch (data.kind) {
    case 'number':
      return [['values', data.values], ...validity];
    case 'bool':
      return [['bits', data.bits], ...validity];
    case 'utf8':
      return [['offsets', data.offsets], ['bytes', data.bytes], ...validity];
    case 'dict':
      return [['codes', data.codes], ...validity];
  }
}

describe('ipcToTable without copying', () => {
  for (const format of ['stream', 'file'] as const) {
    it(`keeps every buffer of one batch as a view of the input (${format} format)`, () => {
      const bytes = tableToIPC(layoutTable(100), format);
      const { table } = ipcToTable(bytes);
      const shared = table.columns.flatMap((column) =>
        buffersOf(column.data).map(([buffer, view]) => [
          `${column.name}.${buffer}`,
          view.buffer === bytes.buffer,
        ]),
      );
      expect(shared).toEqual([
        ['cat.codes', true],
        ['a.values', true],
        ['n.values', true],
        ['n.validity', true],
        ['s.offsets', true],
        ['s.bytes', true],
        ['ok.bits', true],
      ]);
      expect(cellsOf(columnOf(table, 'cat')).slice(0, 4)).toEqual(['x', 'y', 'z', 'x']);
      expect(cellsOf(columnOf(table, 'n')).slice(0, 3)).toEqual([null, 1, 2]);
      expect(cellsOf(columnOf(table, 's'))[99]).toBe('s99');
    });
  }

  it('checks codes and offsets once: every later read returns the same view', () => {
    const bytes = tableToIPC(layoutTable(10), 'stream');
    const { table } = ipcToTable(bytes);
    const cat = columnOf(table, 'cat');
    const s = columnOf(table, 's');
    if (cat.kind !== 'dict' || s.kind !== 'utf8') throw new Error('unexpected kinds');
    expect(cat.codes).toBe(cat.codes);
    expect(s.offsets).toBe(s.offsets);
    expect(cat.codes.buffer).toBe(bytes.buffer);
  });

  for (const format of ['stream', 'file'] as const) {
    it(`reads input that does not start on an 8-byte boundary (${format} format)`, () => {
      const bytes = tableToIPC(layoutTable(20), format);
      const expected = ipcToTable(bytes).table;
      for (const shift of [1, 4]) {
        const shifted = new Uint8Array(bytes.length + shift);
        shifted.set(bytes, shift);
        const { table } = ipcToTable(shifted.subarray(shift));
        for (const column of expected.columns) {
          expect([shift, column.name, cellsOf(columnOf(table, column.name))]).toEqual([
            shift,
            column.name,
            cellsOf(column.data),
          ]);
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Damaged bytes.

/** The bytes of little-endian signed 64-bit integers, as the IPC metadata stores them. */
function int64Bytes(...values: number[]): Uint8Array {
  return new Uint8Array(BigInt64Array.from(values, (value) => BigInt(value)).buffer);
}

/**
 * A copy of `bytes` with the one run of 64-bit integers `from` replaced by `to`. Fails when the
 * run is not there exactly once, so a test whose layout assumption broke says so.
 */
function patched(bytes: Uint8Array, from: number[], to: number[]): Uint8Array {
  const pattern = int64Bytes(...from);
  const found: number[] = [];
  for (let at = 0; at + pattern.length <= bytes.length; at++) {
    if (pattern.every((byte, k) => bytes[at + k] === byte)) found.push(at);
  }
  expect(found).toHaveLength(1);
  const copy = bytes.slice();
  copy.set(int64Bytes(...to), found[0]!);
  return copy;
}

/** Reads every cell of every column; returns the EngineError a read threw, if any. */
function readAllCells(table: ColumnTable): EngineError | null {
  try {
    for (const column of table.columns) {
      const rows = Math.min(column.data.length, 1_000);
      for (let row = 0; row < rows; row++) valueAt(column.data, row);
    }
    return null;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
}

function dictionaryBytes(
  codes: ArrayLike<number>,
  dictionary: string[],
  options: { nullRows?: boolean[]; indices?: Int32 | Uint32 } = {},
): Uint8Array {
  const indices = options.indices ?? new Int32();
  const nullBitmap = validityWith(codes.length, options.nullRows ?? []);
  const data = makeData({
    type: new Dictionary(new Utf8(), indices),
    length: codes.length,
    nullCount: (options.nullRows ?? []).filter(Boolean).length,
    data: indices instanceof Uint32 ? Uint32Array.from(codes) : Int32Array.from(codes),
    dictionary: vectorFromArray(dictionary, new Utf8()),
    ...(nullBitmap ? { nullBitmap } : {}),
  });
  return tableToIPC(tableOf({ site: makeVector(data) }), 'stream');
}

function stringBytes(offsets: number[], text: string): Uint8Array {
  const data = makeData({
    type: new Utf8(),
    length: offsets.length - 1,
    nullCount: 0,
    valueOffsets: Int32Array.from(offsets),
    data: new TextEncoder().encode(text),
  });
  return tableToIPC(tableOf({ well: makeVector(data) }), 'stream');
}

function nestedBytes(name: string, data: Data<DataType>): Uint8Array {
  return tableToIPC(tableOf({ [name]: makeVector(data) }), 'stream');
}

describe('ipcToTable on damaged bytes', () => {
  const good = tableToIPC(
    tableOf({
      n: vectorFromArray([1, 2, 3], new Int32()),
      s: vectorFromArray(['a', 'b', 'c'], new Utf8()),
    }),
  );

  it('gives a parse_error for garbage, truncation and emptiness, never a crash', () => {
    const cases = [
      new Uint8Array(0),
      new TextEncoder().encode('a,b\n1,2\n'),
      good.subarray(0, 12),
      good.subarray(0, good.length - 40),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2]),
      tableToIPC(tableOf({ n: vectorFromArray([1], new Int32()) }), 'file').subarray(0, 30),
    ];
    for (const bytes of cases) {
      const error = expectEngineError(() => ipcToTable(bytes), 'parse_error');
      expect(error.message).toMatch(/Arrow/);
    }
  });

  it('gives a parse_error for a file cut at any byte', () => {
    const file = tableToIPC(layoutTable(5), 'file');
    for (let end = 0; end < file.length; end++) {
      expect([end, errorCodeOf(() => ipcToTable(file.subarray(0, end)))]).toEqual([
        end,
        'parse_error',
      ]);
    }
  });

  it('reads a stream cut at any byte as a parse_error or as the whole messages before the cut', () => {
    const stream = tableToIPC(layoutTable(5), 'stream');
    for (let end = 0; end < stream.length; end++) {
      let table: ColumnTable;
      try {
        table = ipcToTable(stream.subarray(0, end)).table;
      } catch (error) {
        expect([end, error instanceof EngineError && error.code]).toEqual([end, 'parse_error']);
        continue;
      }
      // A stream has no footer: a cut just after a message is a shorter, well-formed stream.
      expect([end, table.length === 0 || table.length === 5]).toEqual([end, true]);
      expect(readAllCells(table)).toBeNull();
    }
  });

  it('checks dictionary codes when they are first read, and refuses a row pointing nowhere', () => {
    const { table } = ipcToTable(dictionaryBytes([0, 5], ['a']));
    const data = columnOf(table, 'site');
    if (data.kind !== 'dict') throw new Error('expected a category');
    const error = expectEngineError(() => data.codes, 'parse_error');
    expect(error.message).toContain('"site"');
    expect(error.message).toContain('row 2');
    // Every path to the codes is checked, and stays refused: cells, a spread copy, writing.
    expectEngineError(() => data.codes, 'parse_error');
    expectEngineError(() => valueAt(data, 0), 'parse_error');
    expectEngineError(() => ({ ...data }), 'parse_error');
    expectEngineError(() => tableToIpc(table), 'parse_error');
  });

  it('refuses negative codes, codes of 2^31 and more, and codes into an empty dictionary', () => {
    const cases = [
      dictionaryBytes([0, -1], ['a', 'b']),
      dictionaryBytes([1, 2 ** 32 - 1], ['a', 'b'], { indices: new Uint32() }),
      dictionaryBytes([0, 2 ** 31], ['a', 'b'], { indices: new Uint32() }),
      dictionaryBytes([0], []),
    ];
    for (const bytes of cases) {
      const { table } = ipcToTable(bytes);
      expect(readAllCells(table)?.code).toBe('parse_error');
    }
  });

  it('lets a row without a value hold any code, without writing into the input', () => {
    const bytes = dictionaryBytes([1, 9, -4, 0], ['a', 'b'], {
      nullRows: [false, true, true, false],
    });
    const before = bytes.slice();
    const data = columnOf(ipcToTable(bytes).table, 'site');
    expect(cellsOf(data)).toEqual(['b', null, null, 'a']);
    if (data.kind !== 'dict') throw new Error('expected a category');
    expect(Array.from(data.codes)).toEqual([1, 0, 0, 0]);
    expect(bytes).toEqual(before);
  });

  it("checks each batch's codes against the dictionary that batch was written with", () => {
    const type = new Dictionary(new Utf8(), new Int32(), 3);
    const field = new Field('site', type, true);
    const schema = new Schema([field]);
    const first = vectorFromArray(['a', 'b'], new Utf8());
    // The second batch's dictionary appends to the first's: it is written as a delta.
    const grown = first.concat(vectorFromArray(['c'], new Utf8()));
    const batchOf = (codes: number[], dictionary: Vector) =>
      new RecordBatch(
        schema,
        makeData({
          type: new Struct([field]),
          length: codes.length,
          nullCount: 0,
          children: [
            makeData({
              type,
              length: codes.length,
              nullCount: 0,
              data: Int32Array.from(codes),
              dictionary,
            }),
          ],
        }),
      );
    const read = (firstCodes: number[]) =>
      ipcToTable(
        tableToIPC(new Table([batchOf(firstCodes, first), batchOf([2, 0], grown)]), 'stream'),
      ).table;
    expect(cellsOf(columnOf(read([0, 1]), 'site'))).toEqual(['a', 'b', 'c', 'a']);
    // Code 2 is 'c' only from the second batch on: in the first it points nowhere.
    const error = readAllCells(read([0, 2]));
    expect(error?.code).toBe('parse_error');
    expect(error?.message).toContain('row 2');
  });

  it('checks string offsets for order when first read, and against the bytes at load', () => {
    const backwards = columnOf(ipcToTable(stringBytes([0, 3, 1, 4], 'abcd')).table, 'well');
    if (backwards.kind !== 'utf8') throw new Error('expected strings');
    expect(expectEngineError(() => backwards.offsets, 'parse_error').message).toContain(
      'backwards',
    );
    expectEngineError(() => valueAt(backwards, 0), 'parse_error');
    expectEngineError(() => ipcToTable(stringBytes([0, 2, 50], 'abcd')), 'parse_error');
    expect(cellsOf(columnOf(ipcToTable(stringBytes([0, 1, 4], 'abcd')).table, 'well'))).toEqual([
      'a',
      'bcd',
    ]);
  });

  describe('metadata that lies', () => {
    // 37 rows: Float64 values of 296 bytes at body offset 0, then Int32 values padded to 152.
    const rows = 37;
    const buffers = [0, 0, 0, 296, 296, 0, 296, 152];
    const bytes = tableToIPC(
      tableOf({
        x: makeVector(Float64Array.from({ length: rows }, (_, row) => row + 0.5)),
        n: makeVector(Int32Array.from({ length: rows }, (_, row) => row)),
      }),
      'stream',
    );

    it('reads the bytes as they are', () => {
      expect(cellsOf(columnOf(ipcToTable(bytes).table, 'x'))[36]).toBe(36.5);
      expect(patched(bytes, buffers, buffers)).toEqual(bytes);
    });

    it('gives a parse_error for a batch of more rows than its buffers hold', () => {
      // The batch's length and both column nodes are the only 37s in the bytes.
      const at = [];
      const pattern = int64Bytes(rows);
      for (let k = 0; k + 8 <= bytes.length; k++) {
        if (pattern.every((byte, j) => bytes[k + j] === byte)) at.push(k);
      }
      expect(at).toHaveLength(3);
      const lying = bytes.slice();
      for (const k of at) lying.set(int64Bytes(1000), k);
      expectEngineError(() => ipcToTable(lying), 'parse_error');
    });

    it('reads column nodes that disagree with their batch as the batch, never past a buffer', () => {
      const { table } = ipcToTable(patched(bytes, [rows, 0, rows, 0], [10, 0, 1000, 0]));
      expect(table.length).toBe(rows);
      expect(table.columns.map((column) => column.data.length)).toEqual([rows, rows]);
      expect(cellsOf(columnOf(table, 'x')).slice(8, 12)).toEqual([8.5, 9.5, null, null]);
      expect(cellsOf(columnOf(table, 'n'))[36]).toBe(36);
    });

    it('gives a parse_error for a null count without a validity buffer', () => {
      expectEngineError(
        () => ipcToTable(patched(bytes, [rows, 0, rows, 0], [rows, 5, rows, 0])),
        'parse_error',
      );
    });

    it('gives a parse_error for a buffer shorter than its rows', () => {
      const short = [0, 0, 0, 16, 296, 0, 296, 152];
      expectEngineError(() => ipcToTable(patched(bytes, buffers, short)), 'parse_error');
    });

    it('gives a parse_error for a Float64 buffer that is not 8-byte aligned', () => {
      const misaligned = [0, 0, 4, 288, 296, 0, 296, 152];
      const error = expectEngineError(
        () => ipcToTable(patched(bytes, buffers, misaligned)),
        'parse_error',
      );
      expect(error.message).toContain('multiple of 8');
    });

    it('gives a parse_error for a message body longer than the bytes', () => {
      expectEngineError(() => ipcToTable(patched(bytes, [448], [1 << 20])), 'parse_error');
    });

    it('gives a parse_error for vector lengths and offsets that leave the metadata', () => {
      // The nodes vector's length (2) as a huge count: apache-arrow alone would decode
      // millions of phantom nodes and run out of memory.
      const nodes = int64Bytes(rows, 0, rows, 0);
      let at = -1;
      for (let k = 0; k + nodes.length <= bytes.length; k++) {
        if (nodes.every((byte, j) => bytes[k + j] === byte)) at = k;
      }
      const hugeVector = bytes.slice();
      new DataView(hugeVector.buffer).setInt32(at - 4, 2_000_000, true);
      const error = expectEngineError(() => ipcToTable(hugeVector), 'parse_error');
      expect(error.message).toContain('cut short');
      const wildOffset = bytes.slice();
      // The record batch message's root offset, pointing far past its metadata.
      new DataView(wildOffset.buffer).setInt32(184 + 8, 1 << 30, true);
      expectEngineError(() => ipcToTable(wildOffset), 'parse_error');
    });
  });

  describe('message framing', () => {
    const table = layoutTable(4);

    it('gives a parse_error for a stream with a second schema', () => {
      const stream = tableToIPC(table, 'stream');
      const view = new DataView(stream.buffer, stream.byteOffset);
      // The schema message: continuation marker, metadata length, metadata (no body).
      const schemaEnd = 8 + view.getInt32(4, true);
      const twice = new Uint8Array(stream.length + schemaEnd);
      twice.set(stream.subarray(0, schemaEnd));
      twice.set(stream, schemaEnd);
      expect(ipcToTable(stream).table.length).toBe(4);
      expectEngineError(() => ipcToTable(twice), 'parse_error');
    });

    it('gives a parse_error for a file whose footer lists one batch twice', () => {
      const file = tableToIPC(new Table([...table.batches, ...table.batches]), 'file');
      expect(ipcToTable(file).table.length).toBe(8);
      const reader = RecordBatchReader.from(file);
      reader.open();
      const [first, second] = [0, 1].map((index) => reader.footer!.getRecordBatch(index)!);
      const block = (entry: typeof first) => [
        Number(entry!.offset),
        entry!.metaDataLength,
        Number(entry!.bodyLength),
      ];
      expectEngineError(
        () => ipcToTable(patched(file, block(second), block(first))),
        'parse_error',
      );
    });

    it('gives a parse_error for a schema nested deeper than anyone writes', () => {
      let type: DataType = new Int32();
      for (let depth = 0; depth < 80; depth++) type = new List(new Field('item', type, true));
      const deep = tableToIPC(new Table(new Schema([new Field('deep', type, true)])), 'stream');
      const error = expectEngineError(() => ipcToTable(deep), 'parse_error');
      expect(error.message).toContain('nests too deep');
    });
  });

  describe('nested columns', () => {
    const item = new Field('item', new Int32(), true);
    const child = makeData({
      type: new Int32(),
      length: 2,
      nullCount: 0,
      data: Int32Array.of(1, 2),
    });

    it('gives a parse_error for list offsets that go backwards or past the values', () => {
      for (const offsets of [
        [0, 2, 1],
        [0, 100, 2],
      ]) {
        const list = makeData({
          type: new List(item),
          length: 2,
          nullCount: 0,
          valueOffsets: Int32Array.from(offsets),
          child,
        });
        expectEngineError(() => ipcToTable(nestedBytes('tags', list)), 'parse_error');
      }
    });

    it('gives a parse_error for a struct field shorter than its struct', () => {
      const point = makeData({
        type: new Struct([new Field('x', new Int32(), true)]),
        length: 3,
        nullCount: 0,
        children: [child],
      });
      expectEngineError(() => ipcToTable(nestedBytes('point', point)), 'parse_error');
    });

    it('gives a parse_error for a union row of an unknown type', () => {
      const union = makeData({
        type: new SparseUnion([0, 1], [item, new Field('s', new Utf8(), true)]),
        length: 2,
        nullCount: 0,
        typeIds: Int8Array.of(0, 7),
        children: [child, vectorFromArray(['a', 'b'], new Utf8()).data[0]!],
      });
      expectEngineError(() => ipcToTable(nestedBytes('either', union)), 'parse_error');
    });

    it('gives a parse_error for binary offsets past the bytes', () => {
      const blob = makeData({
        type: new Binary(),
        length: 2,
        nullCount: 0,
        valueOffsets: Int32Array.of(0, 1, 9),
        data: Uint8Array.of(1, 2, 3),
      });
      expectEngineError(() => ipcToTable(nestedBytes('blob', blob)), 'parse_error');
    });

    it('reads the same shapes when they are whole', () => {
      const list = makeData({
        type: new List(item),
        length: 2,
        nullCount: 0,
        valueOffsets: Int32Array.of(0, 1, 2),
        child,
      });
      expect(cellsOf(columnOf(ipcToTable(nestedBytes('tags', list)).table, 'tags'))).toEqual([
        '[1]',
        '[2]',
      ]);
    });
  });

  it('never throws anything but an EngineError for bytes overwritten anywhere', () => {
    const rows = 6;
    const stream = tableToIPC(
      tableOf({
        cat: vectorFromArray(
          ['a', 'b', null, 'a', 'c', 'b'],
          new Dictionary(new Utf8(), new Int32()),
        ),
        x: vectorFromArray([0.5, null, 2, 3, 4, 5], new Float64()),
        s: vectorFromArray(['α', '', null, 'dd', 'e', 'f'], new Utf8()),
        ok: vectorFromArray([true, false, null, true, true, false], new Bool()),
        tags: vectorFromArray(
          [[1], [], null, [2, 3], [4], [5]],
          new List(new Field('item', new Int32(), true)),
        ),
      }),
      'stream',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: stream.length - 1 }), fc.nat({ max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (writes) => {
          const bytes = stream.slice();
          for (const [at, byte] of writes) bytes[at] = byte;
          let table: ColumnTable;
          try {
            table = ipcToTable(bytes).table;
          } catch (error) {
            expect(error).toBeInstanceOf(EngineError);
            return;
          }
          expect(table.columns.every((column) => column.data.length === table.length)).toBe(true);
          expect(readAllCells(table)).toSatisfy(
            (error: EngineError | null) => error === null || error.code === 'parse_error',
          );
          if (table.length <= rows) {
            try {
              tableToIpc(table);
            } catch (error) {
              expect(error).toBeInstanceOf(EngineError);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('ipcToTable on many batches and on empty tables', () => {
  it('joins hundreds of batches into one chunk per column, codes copied once', () => {
    const type = new Dictionary(new Utf8(), new Int32(), 0);
    const schema = new Schema([
      new Field('cat', type, true),
      new Field('x', new Float64(), true),
      new Field('s', new Utf8(), true),
    ]);
    const dictionary = vectorFromArray(['even', 'odd'], new Utf8());
    const batches = Array.from({ length: 300 }, (_, batch) => {
      const cat = makeData({
        type,
        length: 2,
        nullCount: 1,
        nullBitmap: Uint8Array.of(1),
        data: Int32Array.of(batch % 2, 0),
        dictionary,
      });
      const x = vectorFromArray([batch, null], new Float64()).data[0]!;
      const s = vectorFromArray([`b${batch}`, ''], new Utf8()).data[0]!;
      return new RecordBatch(
        schema,
        makeData({
          type: new Struct(schema.fields),
          length: 2,
          nullCount: 0,
          children: [cat, x, s],
        }),
      );
    });
    for (const format of ['stream', 'file'] as const) {
      const bytes = tableToIPC(new Table(batches), format);
      const { table } = ipcToTable(bytes);
      expect(table.length).toBe(600);
      const cat = columnOf(table, 'cat');
      expect(cellsOf(cat).slice(0, 4)).toEqual(['even', null, 'odd', null]);
      expect(cellsOf(cat)[598]).toBe('odd');
      expect(cellsOf(columnOf(table, 'x')).slice(596)).toEqual([298, null, 299, null]);
      expect(cellsOf(columnOf(table, 's')).slice(596)).toEqual(['b298', '', 'b299', '']);
      if (cat.kind !== 'dict') throw new Error('expected a category');
      expect(cat.dictionary).toEqual(['even', 'odd']);
      expect(cat.codes.buffer).not.toBe(bytes.buffer);
    }
  });

  it('reads a table without columns, and columns of every kind without rows', () => {
    const none = ipcToTable(tableToIPC(new Table(new Schema([])), 'stream')).table;
    expect(none).toEqual({ length: 0, columns: [] });
    const empty = layoutTable(0);
    for (const format of ['stream', 'file'] as const) {
      const { table } = ipcToTable(tableToIPC(empty, format));
      expect(table.length).toBe(0);
      expect(
        table.columns.map((column) => [column.name, column.data.type, column.data.length]),
      ).toEqual([
        ['cat', 'category', 0],
        ['a', 'float', 0],
        ['n', 'int', 0],
        ['s', 'string', 0],
        ['ok', 'bool', 0],
      ]);
      expect(readAllCells(table)).toBeNull();
      expect(ipcToTable(tableToIpc(table)).table.length).toBe(0);
    }
  });
});

describe('TextColumnBuilder', () => {
  it('keeps repeating values as a category, past the minimum too', () => {
    const builder = new TextColumnBuilder();
    for (let row = 0; row < 12_000; row++) {
      if (row % 7 === 0) builder.appendNull();
      else builder.append(`site ${Math.floor(row / 4) % 1500}`);
    }
    const data = builder.finish();
    expect(data.kind).toBe('dict');
    if (data.kind === 'dict') expect(data.dictionary.length).toBe(1500);
    expect(valueAt(data, 7)).toBeNull();
    expect(valueAt(data, 6005)).toBe('site 1');
  });

  it('turns into UTF-8 once values stop repeating, keeping every value', () => {
    const builder = new TextColumnBuilder();
    const values = Array.from({ length: 3 * CATEGORY_MIN_DISTINCT }, (_, row) =>
      row % 5 === 1 ? null : `id-${row}`,
    );
    for (const value of values) {
      if (value === null) builder.appendNull();
      else builder.append(value);
    }
    const data = builder.finish();
    expect(data.kind).toBe('utf8');
    expect(cellsOf(data)).toEqual(values);
  });

  it('makes a short column of distinct values a category (small is cheap either way)', () => {
    const builder = new TextColumnBuilder();
    for (const value of ['x', 'y', 'z']) builder.append(value);
    expect(builder.finish().kind).toBe('dict');
  });
});

describe('ipcToTable checkLayout, and the plugin label in field metadata', () => {
  const mixed = () =>
    tableToIPC(
      tableOf({
        n: vectorFromArray([1, 2, 3], new Int32()),
        big: int64Vector(new Int64(), [1n, null, 3n]),
        half: vectorFromArray([0.5, 1, 2], new Float16()),
        s: vectorFromArray(['a', 'b', null], new Utf8()),
        large: vectorFromArray(['a', 'b', 'c'], new LargeUtf8()),
        flag: vectorFromArray([true, false, null], new Bool()),
        day: vectorFromArray([0, 86_400_000, null], new DateDay()),
        at: int64Vector(new TimestampNanosecond(), [1n, 2n, null]),
        nothing: makeVector(makeData({ type: new Null(), length: 3 })),
        site: vectorFromArray(['x', 'y', 'x'], new Dictionary(new Utf8(), new Int32())),
        coded: vectorFromArray([1.5, 2.5, 1.5], new Dictionary(new Float64(), new Int8())),
        list: vectorFromArray([[1], null, []], new List(new Field('item', new Int32(), true))),
        blob: vectorFromArray([new Uint8Array([1]), null, null], new Binary()),
        money: makeVector(
          makeData({
            type: new Decimal(2, 9, 128),
            length: 3,
            nullCount: 0,
            data: new Uint32Array(12),
          }),
        ),
        time: vectorFromArray([1_000, null, 0], new TimeMillisecond()),
        elapsed: int64Vector(new DurationMillisecond(), [5n, 6n, null]),
      }),
    );

  it('shows the fields, whether each is plain, and the rows, before reading a column', () => {
    let seen: IpcLayout | undefined;
    ipcToTable(mixed(), { checkLayout: (layout) => void (seen = layout) });
    expect(seen?.rows).toBe(3);
    expect(seen?.fields.map((field) => [field.name, field.plain])).toEqual([
      ['n', true],
      ['big', true],
      ['half', true],
      ['s', true],
      ['large', true],
      ['flag', true],
      ['day', true],
      ['at', true],
      ['nothing', true],
      ['site', true],
      ['coded', true],
      ['list', false],
      ['blob', false],
      ['money', false],
      ['time', false],
      ['elapsed', false],
    ]);
    expect(seen?.fields.find((field) => field.name === 'list')?.arrowType).toMatch(/List/);
  });

  it('reads nothing when checkLayout throws, and passes its EngineError on as it is', () => {
    const refusal = new EngineError({ code: 'invalid_request', message: 'no' });
    let calls = 0;
    const run = () =>
      ipcToTable(mixed(), {
        checkLayout: () => {
          calls += 1;
          throw refusal;
        },
      });
    expect(run).toThrow(refusal);
    expect(calls).toBe(1);
  });

  it('reads a field written without a name as the name "" (apache-arrow reads it as null)', () => {
    let seen: IpcLayout | undefined;
    const bytes = tableToIpc({
      length: 1,
      columns: [
        {
          name: '',
          data: {
            kind: 'number',
            type: 'int',
            length: 1,
            values: Int32Array.of(1),
            validity: null,
          },
        },
      ],
    });
    const { table } = ipcToTable(bytes, { checkLayout: (layout) => void (seen = layout) });
    expect(seen?.fields[0]?.name).toBe('');
    expect(table.columns[0]?.name).toBe('');
  });

  it("writes a column's plugin as `enclave.plugin` metadata, and never reads a file's claim back", () => {
    const numbers = Float64Array.of(1, 2);
    const bytes = tableToIpc({
      length: 2,
      columns: [
        {
          name: 'own',
          data: { kind: 'number', type: 'float', length: 2, values: numbers, validity: null },
        },
        {
          name: 'mean',
          data: { kind: 'number', type: 'float', length: 2, values: numbers, validity: null },
          source: { plugin: 'enclave.stats' },
        },
      ],
    });
    const fields = tableFromIPC(bytes).schema.fields;
    expect(fields[0]!.metadata.has(PLUGIN_SOURCE_KEY)).toBe(false);
    expect(fields[1]!.metadata.get(PLUGIN_SOURCE_KEY)).toBe('enclave.stats');
    expect(ipcToTable(bytes).table.columns.map((column) => column.source)).toEqual([
      undefined,
      undefined,
    ]);
  });
});
