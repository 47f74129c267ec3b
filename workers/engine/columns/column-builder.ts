/**
 * Builders that grow a column of the engine's model row by row, doubling typed arrays as they
 * fill, and hand out the finished `ColumnData` trimmed to its length. Used by the parsers (JSON
 * lines, the fallbacks of CSV) and by kernels that make new columns (group-by, gather).
 *
 * A builder records no validity bitmap until the first null, so columns without nulls carry
 * `validity: null`, as Arrow does.
 */
import type {
  BoolColumnData,
  ColumnData,
  DictColumnData,
  NumberColumnData,
  NumericArray,
  Utf8ColumnData,
  Validity,
} from './column-data.ts';

const INITIAL_CAPACITY = 1024;

/** A growable validity bitmap: absent until the first null. */
export class ValidityBuilder {
  private bits: Uint8Array | null = null;
  private capacityBytes = 0;

  /** Marks row `row` as null; all rows before it that were not marked hold values. */
  setNull(row: number): void {
    if (this.bits === null) {
      this.capacityBytes = Math.max(INITIAL_CAPACITY >> 3, (row >> 3) + 1) * 2;
      this.bits = new Uint8Array(this.capacityBytes).fill(0xff);
    } else if (row >> 3 >= this.capacityBytes) {
      const grown = new Uint8Array(Math.max(this.capacityBytes * 2, (row >> 3) + 1)).fill(0xff);
      grown.set(this.bits);
      this.bits = grown;
      this.capacityBytes = grown.length;
    }
    this.bits[row >> 3]! &= ~(1 << (row & 7));
  }

  /** The bitmap for `length` rows (bits past the end cleared), or null if no row was null. */
  finish(length: number): Validity {
    if (this.bits === null) return null;
    const bytes = (length + 7) >> 3;
    const out = new Uint8Array(bytes).fill(0xff);
    out.set(this.bits.subarray(0, Math.min(bytes, this.bits.length)));
    if (length & 7) out[bytes - 1]! &= (1 << (length & 7)) - 1;
    return out;
  }
}

type NumericArrayConstructor = {
  new (length: number): NumericArray;
};

/**
 * Builds a numeric column.
 *
 * @example
 * const builder = new NumberBuilder('float');
 * builder.append(1.5);
 * builder.appendNull();
 * builder.finish(); // { kind: 'number', type: 'float', length: 2, values: Float64Array [1.5, 0], validity }
 */
export class NumberBuilder {
  private values: NumericArray;
  private readonly validity = new ValidityBuilder();
  length = 0;

  constructor(
    readonly type: NumberColumnData['type'],
    private readonly ArrayType: NumericArrayConstructor = type === 'int' || type === 'date'
      ? Int32Array
      : Float64Array,
    capacity = INITIAL_CAPACITY,
  ) {
    this.values = new ArrayType(Math.max(1, capacity));
  }

  append(value: number): void {
    if (this.length === this.values.length) this.grow();
    this.values[this.length++] = value;
  }

  appendNull(): void {
    if (this.length === this.values.length) this.grow();
    this.validity.setNull(this.length);
    this.values[this.length++] = 0;
  }

  finish(): NumberColumnData {
    return {
      kind: 'number',
      type: this.type,
      length: this.length,
      values: this.values.slice(0, this.length),
      validity: this.validity.finish(this.length),
    };
  }

  private grow() {
    const grown = new this.ArrayType(this.values.length * 2);
    grown.set(this.values);
    this.values = grown;
  }
}

/** Builds a bit-packed boolean column. */
export class BoolBuilder {
  private bits = new Uint8Array(INITIAL_CAPACITY >> 3);
  private readonly validity = new ValidityBuilder();
  length = 0;

  append(value: boolean): void {
    this.ensure();
    if (value) this.bits[this.length >> 3]! |= 1 << (this.length & 7);
    this.length++;
  }

  appendNull(): void {
    this.ensure();
    this.validity.setNull(this.length);
    this.length++;
  }

  finish(): BoolColumnData {
    return {
      kind: 'bool',
      type: 'bool',
      length: this.length,
      bits: this.bits.slice(0, (this.length + 7) >> 3),
      validity: this.validity.finish(this.length),
    };
  }

  private ensure() {
    if (this.length >> 3 < this.bits.length) return;
    const grown = new Uint8Array(this.bits.length * 2);
    grown.set(this.bits);
    this.bits = grown;
  }
}

const encoder = new TextEncoder();

/** Builds a UTF-8 string column from strings or from byte ranges of a buffer. */
export class Utf8Builder {
  private offsets = new Int32Array(INITIAL_CAPACITY + 1);
  private bytes = new Uint8Array(INITIAL_CAPACITY * 8);
  private readonly validity = new ValidityBuilder();
  length = 0;

  /** Appends `source[start .. end)`, which must be UTF-8. */
  appendBytes(source: Uint8Array, start: number, end: number): void {
    const size = end - start;
    const at = this.offsets[this.length]!;
    this.reserve(at + size);
    this.bytes.set(source.subarray(start, end), at);
    this.push(at + size);
  }

  append(value: string): void {
    const at = this.offsets[this.length]!;
    // UTF-8 needs at most three bytes per UTF-16 code unit.
    this.reserve(at + value.length * 3);
    const { written } = encoder.encodeInto(value, this.bytes.subarray(at));
    this.push(at + written);
  }

  appendNull(): void {
    this.validity.setNull(this.length);
    this.push(this.offsets[this.length]!);
  }

  finish(): Utf8ColumnData {
    const end = this.offsets[this.length]!;
    return {
      kind: 'utf8',
      type: 'string',
      length: this.length,
      offsets: this.offsets.slice(0, this.length + 1),
      bytes: this.bytes.slice(0, end),
      validity: this.validity.finish(this.length),
    };
  }

  private push(end: number) {
    if (this.length + 2 > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[++this.length] = end;
  }

  private reserve(bytes: number) {
    if (bytes > 2_147_483_647) {
      throw new RangeError('A text column may hold at most 2 GiB of text.');
    }
    if (bytes <= this.bytes.length) return;
    const grown = new Uint8Array(Math.min(2_147_483_647, Math.max(bytes, this.bytes.length * 2)));
    grown.set(this.bytes);
    this.bytes = grown;
  }
}

/**
 * Builds a dictionary-encoded column: each distinct string gets a code, in order of first
 * appearance.
 */
export class DictBuilder {
  private codes = new Int32Array(INITIAL_CAPACITY);
  private readonly codeOf = new Map<string, number>();
  private readonly dictionary: string[] = [];
  private readonly validity = new ValidityBuilder();
  length = 0;

  append(value: string): void {
    let code = this.codeOf.get(value);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(value);
      this.codeOf.set(value, code);
    }
    this.pushCode(code);
  }

  appendNull(): void {
    this.validity.setNull(this.length);
    this.pushCode(0);
  }

  /** How many distinct strings it holds so far. */
  get cardinality(): number {
    return this.dictionary.length;
  }

  finish(): DictColumnData {
    return {
      kind: 'dict',
      type: 'category',
      length: this.length,
      codes: this.codes.slice(0, this.length),
      dictionary: this.dictionary.slice(),
      validity: this.validity.finish(this.length),
    };
  }

  private pushCode(code: number) {
    if (this.length === this.codes.length) {
      const grown = new Int32Array(this.codes.length * 2);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[this.length++] = code;
  }
}

/** Any of the builders, for code that fills columns of types it learns at run time. */
export type ColumnBuilder = NumberBuilder | BoolBuilder | Utf8Builder | DictBuilder;

/**
 * A builder for a column of the given kind, for code that copies or transforms columns.
 *
 * @example
 * const builder = builderLike(column.data);
 */
export function builderLike(data: ColumnData): ColumnBuilder {
  switch (data.kind) {
    case 'number':
      return new NumberBuilder(data.type, data.values.constructor as NumericArrayConstructor);
    case 'bool':
      return new BoolBuilder();
    case 'utf8':
      return new Utf8Builder();
    case 'dict':
      return new DictBuilder();
  }
}
