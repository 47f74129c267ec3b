/**
 * Test support for the kernels' property tests: random tables held twice, as plain JavaScript
 * values (what the references compute on) and as the engine's columns (what the kernels compute
 * on), plus the one plain value order every reference sorts by.
 *
 * The columns are built by hand rather than through the builders, so they carry what real
 * inputs carry and a careless kernel would trip on: junk under null rows (NaN, big numbers,
 * text bytes, dictionary codes out of range), validity bitmaps with no null in them,
 * dictionaries with duplicate and unused entries, and every typed array a number column may
 * use.
 */
import fc from 'fast-check';
import type { Aggregate, GroupBySpec, SortKey } from '../protocol.ts';
import {
  valueAt,
  type Column,
  type ColumnData,
  type ColumnTable,
  type NumericArray,
  type Validity,
} from '../columns/column-data.ts';

/** The column shapes the tests cover: a logical type and the array that holds it. */
export type Kind =
  | 'int32'
  | 'int53'
  | 'uint8'
  | 'uint32'
  | 'int16'
  | 'float64'
  | 'float32'
  | 'date'
  | 'datetime'
  | 'bool'
  | 'string'
  | 'category';

/** Every kind, for tables that hold one column of each. */
export const KINDS: readonly Kind[] = [
  'int32',
  'int53',
  'uint8',
  'uint32',
  'int16',
  'float64',
  'float32',
  'date',
  'datetime',
  'bool',
  'string',
  'category',
];

/** The kinds held in number columns (what sum, mean, min and max take). */
export const NUMBER_KINDS: readonly Kind[] = KINDS.filter(
  (kind) => kind !== 'bool' && kind !== 'string' && kind !== 'category',
);

export type Plain = number | boolean | string | null;

export interface PlainColumn {
  readonly name: string;
  readonly kind: Kind;
  readonly values: readonly Plain[];
}

export interface PlainTable {
  readonly length: number;
  readonly columns: readonly PlainColumn[];
}

/** Letters that stress text handling: case pairs, non-ASCII case folding, astral code points. */
const LETTERS = [
  'a',
  'b',
  'B',
  'z',
  'é',
  'É',
  'ß',
  'K',
  'k',
  '\u212a',
  'İ',
  'Σ',
  'ς',
  '😀',
  '\uffff',
];

const text = fc.array(fc.constantFrom(...LETTERS), { maxLength: 4 }).map((parts) => parts.join(''));

/**
 * Values of one kind. `narrow` draws from few values, so that equal values, groups and ties
 * are common; otherwise values spread widely (hashing paths, wide integer ranges).
 *
 * @example
 * fc.sample(valueArb('float64', true), 3); // e.g. [0.25, NaN, -2]
 */
export function valueArb(kind: Kind, narrow: boolean): fc.Arbitrary<Plain> {
  switch (kind) {
    case 'int32':
      return narrow
        ? fc.integer({ min: -6, max: 6 })
        : fc.oneof(fc.integer({ min: -6, max: 6 }), fc.integer());
    case 'int53':
      return narrow
        ? fc.integer({ min: -6, max: 6 })
        : fc.oneof(
            fc.integer({ min: -6, max: 6 }),
            fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
          );
    case 'uint8':
      return narrow ? fc.integer({ min: 0, max: 9 }) : fc.integer({ min: 0, max: 255 });
    case 'uint32':
      return narrow
        ? fc.constantFrom(0, 1, 2 ** 31, 2 ** 32 - 1)
        : fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'int16':
      return narrow ? fc.integer({ min: -3, max: 3 }) : fc.integer({ min: -32768, max: 32767 });
    case 'float64':
      return narrow
        ? fc.oneof(
            fc.integer({ min: -8, max: 8 }).map((quarters) => quarters / 4),
            fc.constantFrom(NaN, Infinity, -Infinity, -0),
          )
        : fc.oneof(
            fc.double(),
            fc.integer({ min: -8, max: 8 }).map((quarters) => quarters / 4),
          );
    case 'float32':
      return (
        narrow
          ? fc.oneof(
              fc.integer({ min: -8, max: 8 }).map((quarters) => quarters / 4),
              fc.constantFrom(NaN, Infinity, -Infinity, -0),
            )
          : fc.oneof(fc.double(), fc.constantFrom(0.1, -2.5))
      ).map(Math.fround);
    case 'date':
      return narrow
        ? fc.integer({ min: -3, max: 3 })
        : fc.integer({ min: -1_000_000, max: 1_000_000 });
    case 'datetime':
      return narrow
        ? fc.integer({ min: -3, max: 3 }).map((seconds) => seconds * 1000)
        : fc.integer({ min: -8.64e15, max: 8.64e15 });
    case 'bool':
      return fc.boolean();
    case 'string':
    case 'category':
      return narrow ? fc.constantFrom('', 'a', 'B', 'ab', 'é', 'K', '😀') : text;
  }
}

/**
 * Values (or null) that only the sums of group-by keep exact in any order: quarters, NaN, ±∞.
 *
 * @example
 * exactNumberArb('float64'); // quarters such as 12.25, or NaN, ±Infinity, -0
 */
export function exactNumberArb(kind: Kind): fc.Arbitrary<Plain> {
  if (kind === 'float64' || kind === 'float32') {
    return fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: -400, max: 400 }).map((q) => q / 4) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0) },
    );
  }
  return valueArb(kind, true);
}

/** Options of a random table. */
export interface TableShape {
  readonly kinds: readonly Kind[];
  readonly maxRows?: number;
  readonly minRows?: number;
  /** Per column, whether values come from few values (see `valueArb`); random when absent. */
  readonly narrow?: boolean;
  readonly values?: (kind: Kind, narrow: boolean) => fc.Arbitrary<Plain>;
}

/**
 * A random plain table with one column per kind (named after the kind, then `_2`, … for
 * repeats), some values null.
 *
 * @example
 * fc.assert(fc.property(plainTableArb({ kinds: ['int32', 'string'] }), (plain) => { … }));
 */
export function plainTableArb(shape: TableShape): fc.Arbitrary<PlainTable> {
  const values = shape.values ?? valueArb;
  return fc.integer({ min: shape.minRows ?? 0, max: shape.maxRows ?? 60 }).chain((length) =>
    fc
      .tuple(
        ...shape.kinds.map((kind) =>
          (shape.narrow === undefined ? fc.boolean() : fc.constant(shape.narrow)).chain((narrow) =>
            fc.array(fc.option(values(kind, narrow), { nil: null, freq: 6 }), {
              minLength: length,
              maxLength: length,
            }),
          ),
        ),
      )
      .map((arrays) => ({
        length,
        columns: arrays.map((column, index) => ({
          name: columnName(shape.kinds, index),
          kind: shape.kinds[index]!,
          values: column,
        })),
      })),
  );
}

function columnName(kinds: readonly Kind[], index: number): string {
  const kind = kinds[index]!;
  const repeat = kinds.slice(0, index).filter((other) => other === kind).length;
  return repeat === 0 ? kind : `${kind}_${repeat + 1}`;
}

/**
 * A view of a plain table: every row in order (null), or some rows in some order.
 *
 * @example
 * fc.property(plainTableArb(shape).chain((plain) => fc.tuple(fc.constant(plain), viewArb(plain.length))), …);
 */
export function viewArb(length: number): fc.Arbitrary<number[] | null> {
  const rows = Array.from({ length }, (_, row) => row);
  return fc.option(fc.shuffledSubarray(rows), { nil: null, freq: 2 });
}

/**
 * A plain table with a view of it.
 *
 * @example
 * fc.property(tableWithViewArb({ kinds: KINDS }), ({ plain, view }) => { … });
 */
export function tableWithViewArb(
  shape: TableShape,
): fc.Arbitrary<{ plain: PlainTable; view: number[] | null }> {
  return plainTableArb(shape).chain((plain) =>
    viewArb(plain.length).map((view) => ({ plain, view })),
  );
}

/**
 * The rows of a view, in order.
 *
 * @example
 * viewRows(plain, null); // [0, 1, …, plain.length - 1]
 */
export function viewRows(plain: PlainTable, view: readonly number[] | null): number[] {
  return view === null ? Array.from({ length: plain.length }, (_, row) => row) : [...view];
}

/**
 * A view as the kernels take it.
 *
 * @example
 * filterRows(table, predicate, selectionOf(view));
 */
export function selectionOf(view: readonly number[] | null): Uint32Array | null {
  return view === null ? null : Uint32Array.from(view);
}

/**
 * The plain column called `name`.
 *
 * @example
 * plainColumn(plain, 'int32').values[0];
 */
export function plainColumn(plain: PlainTable, name: string): PlainColumn {
  const column = plain.columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`no column ${name}`);
  return column;
}

/** A small deterministic generator, so that a table's junk and layout follow from its values. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The engine's columns for a plain table. `seed` picks the layout details (whether a bitmap
 * without nulls is kept, dictionary order and duplicates).
 *
 * @example
 * const table = buildTable(plain);
 */
export function buildTable(plain: PlainTable, seed = plain.length): ColumnTable {
  const random = seeded(seed * 7919 + plain.columns.length);
  return {
    length: plain.length,
    columns: plain.columns.map((column): Column => ({
      name: column.name,
      data: buildColumn(column, random),
    })),
  };
}

function buildValidity(values: readonly Plain[], random: () => number): Validity {
  const anyNull = values.some((value) => value === null);
  if (!anyNull && random() < 0.5) return null;
  const bits = new Uint8Array((values.length + 7) >> 3);
  values.forEach((value, row) => {
    if (value !== null) bits[row >> 3]! |= 1 << (row & 7);
  });
  return bits;
}

const ARRAYS: Record<string, new (length: number) => NumericArray> = {
  int32: Int32Array,
  int53: Float64Array,
  uint8: Uint8Array,
  uint32: Uint32Array,
  int16: Int16Array,
  float64: Float64Array,
  float32: Float32Array,
  date: Int32Array,
  datetime: Float64Array,
};

const TYPES = {
  int32: 'int',
  int53: 'int',
  uint8: 'int',
  uint32: 'int',
  int16: 'int',
  float64: 'float',
  float32: 'float',
  date: 'date',
  datetime: 'datetime',
} as const;

function buildColumn(column: PlainColumn, random: () => number): ColumnData {
  const { kind, values } = column;
  const length = values.length;
  const validity = buildValidity(values, random);
  switch (kind) {
    case 'bool': {
      const bits = new Uint8Array((length + 7) >> 3);
      values.forEach((value, row) => {
        // Null rows get a set bit: junk a kernel must not read as `true`.
        if (value !== false) bits[row >> 3]! |= 1 << (row & 7);
      });
      return { kind: 'bool', type: 'bool', length, bits, validity };
    }
    case 'string': {
      const encoder = new TextEncoder();
      const parts = values.map((value) => encoder.encode(value === null ? 'junk' : String(value)));
      const offsets = new Int32Array(length + 1);
      parts.forEach((part, row) => (offsets[row + 1] = offsets[row]! + part.length));
      const bytes = new Uint8Array(offsets[length]!);
      parts.forEach((part, row) => bytes.set(part, offsets[row]!));
      return { kind: 'utf8', type: 'string', length, offsets, bytes, validity };
    }
    case 'category': {
      const distinct = [...new Set(values.filter((value) => value !== null))] as string[];
      // Shuffled, with some entries twice and one no row uses.
      const dictionary = [...distinct, 'unused'];
      for (const value of distinct) if (random() < 0.3) dictionary.push(value);
      for (let i = dictionary.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [dictionary[i], dictionary[j]] = [dictionary[j]!, dictionary[i]!];
      }
      const codesOf = new Map<string, number[]>();
      dictionary.forEach((entry, code) =>
        codesOf.set(entry, [...(codesOf.get(entry) ?? []), code]),
      );
      const codes = new Int32Array(length);
      values.forEach((value, row) => {
        if (value === null) {
          codes[row] = random() < 0.5 ? 0 : dictionary.length + 3;
          return;
        }
        const candidates = codesOf.get(value as string)!;
        codes[row] = candidates[Math.floor(random() * candidates.length)]!;
      });
      return { kind: 'dict', type: 'category', length, codes, dictionary, validity };
    }
    default: {
      const array = new ARRAYS[kind]!(length);
      values.forEach((value, row) => {
        array[row] = value === null ? junkNumber(kind) : (value as number);
      });
      return { kind: 'number', type: TYPES[kind], length, values: array, validity };
    }
  }
}

function junkNumber(kind: Kind): number {
  if (kind === 'float64' || kind === 'float32' || kind === 'datetime' || kind === 'int53') {
    return NaN;
  }
  return 3;
}

/** Code points of a string: the order the engine sorts text by, computed independently. */
function codePoints(value: string): number[] {
  return Array.from(value, (char) => char.codePointAt(0)!);
}

/**
 * Ascending order of two non-null plain values: numbers with NaN above +Infinity and -0 equal
 * to 0, text by code point, false before true.
 *
 * @example
 * [NaN, 1, -Infinity].sort(comparePlain); // [-Infinity, 1, NaN]
 */
export function comparePlain(a: Plain, b: Plain): number {
  if (typeof a === 'number' && typeof b === 'number') {
    const nanA = Number.isNaN(a);
    const nanB = Number.isNaN(b);
    if (nanA || nanB) return Number(nanA) - Number(nanB);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = codePoints(String(a));
  const y = codePoints(String(b));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Sort order of possibly-null values: nulls last whatever the direction.
 *
 * @example
 * [null, 2, 1].sort((a, b) => compareWithNulls(a, b, true)); // [2, 1, null]
 */
export function compareWithNulls(a: Plain, b: Plain, descending: boolean): number {
  if (a === null || b === null) return Number(a === null) - Number(b === null);
  const order = comparePlain(a, b);
  return descending ? -order : order;
}

/**
 * A value normalised for `toEqual`: -0 becomes 0 (NaN already equals NaN there).
 *
 * @example
 * expect(rows.map(normal)).toEqual(want.map(normal));
 */
export function normal(value: Plain): Plain {
  return Object.is(value, -0) ? 0 : value;
}

/**
 * A kernel's answer as rows of normalised plain values, for comparing with a reference.
 *
 * @example
 * expect(plainRowsOf(groupBy(table, spec, null))).toEqual(referenceRows);
 */
export function plainRowsOf(table: ColumnTable): Plain[][] {
  return Array.from({ length: table.length }, (_, row) =>
    table.columns.map((column) => normal(valueAt(column.data, row))),
  );
}

/** Values big tables draw from: few enough to repeat, varied enough to cover each kind. */
const BIG_POOLS: Record<Kind, readonly Plain[]> = {
  int32: [-5, -1, 0, 1, 2, 7, 1000, -(2 ** 31), 2 ** 31 - 1],
  int53: [-3, 0, 5, 2 ** 40, -(2 ** 52)],
  uint8: [0, 1, 2, 200, 255],
  uint32: [0, 5, 2 ** 31, 2 ** 32 - 1],
  int16: [-32768, -2, 0, 3, 32767],
  float64: [-0, 0, 0.5, -1.25, 3.75, NaN, Infinity, -Infinity, 1e300, -1e-300],
  float32: [-0, 0, 0.5, -1.25, NaN, Infinity, Math.fround(0.1)],
  date: [-1, 0, 1, 19_000, 19_001],
  datetime: [0, 1000, -1000, 1.7e12, 8.64e15],
  bool: [true, false],
  string: ['', 'a', 'B', 'ab', 'é', 'Kelvin \u212a', '😀', 'zz'],
  category: ['', 'a', 'B', 'ab', 'é', '😀'],
};

/**
 * A big plain table from a seed, for the code paths only large inputs reach (growing buffers
 * and hash tables, thresholds set by the row count). With `spread`, number and text columns
 * also hold many distinct values.
 *
 * @example
 * const plain = bigPlainTable(7, 100_000, ['float64', 'category']);
 */
export function bigPlainTable(
  seed: number,
  length: number,
  kinds: readonly Kind[],
  spread = false,
): PlainTable {
  const random = seeded(seed);
  return {
    length,
    columns: kinds.map((kind, index) => {
      const pool = BIG_POOLS[kind];
      const nulls = random() < 0.7 ? 0.05 : 0;
      const values = Array.from({ length }, (): Plain => {
        if (random() < nulls) return null;
        if (spread && random() < 0.5) return spreadValue(kind, random);
        return pool[Math.floor(random() * pool.length)]!;
      });
      return { name: columnName(kinds, index), kind, values };
    }),
  };
}

function spreadValue(kind: Kind, random: () => number): Plain {
  const whole = Math.floor(random() * 2_000_000) - 1_000_000;
  switch (kind) {
    case 'uint8':
      return Math.floor(random() * 256);
    case 'uint32':
      return Math.floor(random() * 2 ** 32);
    case 'int16':
      return Math.floor(random() * 65536) - 32768;
    case 'float64':
    case 'datetime':
      return whole / 8;
    case 'float32':
      return Math.fround(whole / 8);
    case 'bool':
      return random() < 0.5;
    case 'string':
    case 'category':
      return `v${whole}`;
    default:
      return whole;
  }
}

/**
 * The view's rows sorted by `keys` with a comparator; `Array.prototype.sort` is stable, so ties
 * keep view order.
 *
 * @example
 * referenceSort(plain, [{ column: 'int32', direction: 'asc' }], null);
 */
export function referenceSort(
  plain: PlainTable,
  keys: readonly SortKey[],
  view: readonly number[] | null,
): number[] {
  const columns = keys.map((key) => plainColumn(plain, key.column).values);
  return viewRows(plain, view).sort((a, b) => {
    for (let k = 0; k < keys.length; k++) {
      const order = compareWithNulls(
        columns[k]![a]!,
        columns[k]![b]!,
        keys[k]!.direction === 'desc',
      );
      if (order !== 0) return order;
    }
    return 0;
  });
}

/**
 * One to three sort keys over the columns of `plain`.
 *
 * @example
 * fc.property(keysArb(plain), (keys) => { … });
 */
export function keysArb(plain: PlainTable): fc.Arbitrary<SortKey[]> {
  return fc.array(
    fc.record({
      column: fc.constantFrom(...plain.columns.map((column) => column.name)),
      direction: fc.constantFrom('asc' as const, 'desc' as const),
    }),
    { minLength: 1, maxLength: 3 },
  );
}

/**
 * A Map key that is equal exactly for values a group-by treats as equal (NaN with NaN, -0 with
 * 0).
 *
 * @example
 * keyOf(-0) === keyOf(0); // true
 */
export function keyOf(value: Plain): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `n${value === 0 ? 0 : value}`;
  return JSON.stringify(value);
}

/**
 * The result column's name of an aggregate.
 *
 * @example
 * aggregateName({ op: 'sum', column: 'dose' }); // 'sum_dose'
 */
export function aggregateName(aggregate: Aggregate): string {
  return (
    aggregate.as ?? (aggregate.op === 'count' ? 'count' : `${aggregate.op}_${aggregate.column}`)
  );
}

/**
 * The aggregate of one group's values of a column, from its definition: sums in row order,
 * `min`/`max` in the sort order (NaN above +Infinity), null for a group without values.
 *
 * @example
 * aggregateOf({ op: 'max', column: 'x' }, [1, NaN, null]); // NaN
 */
export function aggregateOf(aggregate: Aggregate, values: readonly Plain[]): Plain {
  if (aggregate.op === 'count') return values.length;
  const present = values.filter((value) => value !== null);
  if (aggregate.op === 'distinct_count') return new Set(present.map(keyOf)).size;
  if (present.length === 0) return null;
  const numbers = present as number[];
  const plain = numbers.filter((value) => !Number.isNaN(value));
  switch (aggregate.op) {
    case 'sum':
      return numbers.reduce((sum, value) => sum + value, 0);
    case 'mean':
      return numbers.reduce((sum, value) => sum + value, 0) / numbers.length;
    case 'min':
      return plain.length === 0 ? NaN : plain.reduce((min, value) => (value < min ? value : min));
    case 'max':
      return plain.length < numbers.length
        ? NaN
        : plain.reduce((max, value) => (value > max ? value : max));
  }
}

/**
 * Rows of the reference group-by: key values (of each group's first row), then aggregates;
 * groups in key order, nulls last.
 *
 * @example
 * referenceGroupBy(plain, { keys: ['category'], aggregates: [{ op: 'count' }] }, null);
 */
export function referenceGroupBy(
  plain: PlainTable,
  spec: GroupBySpec,
  view: number[] | null,
): Plain[][] {
  const keyColumns = spec.keys.map((key) => plainColumn(plain, key).values);
  const groups = new Map<string, number[]>();
  for (const row of viewRows(plain, view)) {
    const id = keyColumns.map((values) => keyOf(values[row]!)).join('|');
    const rows = groups.get(id);
    if (rows) rows.push(row);
    else groups.set(id, [row]);
  }
  const ordered = [...groups.values()].sort((a, b) => {
    for (const values of keyColumns) {
      const order = compareWithNulls(values[a[0]!]!, values[b[0]!]!, false);
      if (order !== 0) return order;
    }
    return 0;
  });
  const aggregated = spec.aggregates.map((aggregate) =>
    aggregate.op === 'count' ? null : plainColumn(plain, aggregate.column).values,
  );
  return ordered.map((rows) => [
    ...keyColumns.map((values) => values[rows[0]!]!),
    ...spec.aggregates.map((aggregate, index) => {
      const values = aggregated[index];
      return aggregateOf(aggregate, values ? rows.map((row) => values[row]!) : rows.map(() => 1));
    }),
  ]);
}
