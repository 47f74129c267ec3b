/**
 * How each top-level Parquet column becomes a column of the engine's model, and the sinks that
 * fill it row group by row group. Numbers and booleans go into arrays allocated once for every
 * row of the file (hyparquet hands required numeric columns over as typed arrays, which are
 * copied with one `set`); text goes through the shared `TextColumnBuilder`, which makes
 * repeating strings a category.
 *
 * The decision is made from the schema, never from the values, so every row group of a column
 * lands in the same type.
 */
import {
  hexOf,
  int64ToNumbers,
  halvesOf,
  TextColumnBuilder,
  toJsonText,
} from '../../arrow/index.ts';
import { Utf8Builder } from '../../columns/column-builder.ts';
import type { ColumnData, NumberColumnData, NumericArray } from '../../columns/column-data.ts';
import type { LoadWarning } from '../../protocol.ts';
import type { SchemaTree } from 'hyparquet';

type NumericArrayConstructor = new (length: number) => NumericArray;

/** What a Parquet column becomes. */
export type ColumnPlan =
  | {
      readonly sink: 'number';
      readonly type: NumberColumnData['type'];
      readonly ArrayType: NumericArrayConstructor;
      /** Said once when the column is read: why its type is not what the file calls it. */
      readonly note?: Omit<LoadWarning, 'column'>;
    }
  | { readonly sink: 'bool' }
  | { readonly sink: 'text' }
  | { readonly sink: 'json'; readonly note: Omit<LoadWarning, 'column'> }
  | { readonly sink: 'hex'; readonly note: Omit<LoadWarning, 'column'> };

const int32Plan = { sink: 'number', type: 'int', ArrayType: Int32Array } as const;

function decimalPlan(precision: number | undefined): ColumnPlan {
  return precision !== undefined && precision > 15
    ? {
        sink: 'number',
        type: 'float',
        ArrayType: Float64Array,
        note: {
          kind: 'precision-lost',
          message: `Decimals of ${precision} digits are read as numbers, which keep about 15 significant digits.`,
        },
      }
    : { sink: 'number', type: 'float', ArrayType: Float64Array };
}

function timePlan(unit: string): ColumnPlan {
  return {
    sink: 'number',
    type: 'int',
    ArrayType: unit === 'milliseconds' ? Int32Array : Float64Array,
    note: {
      kind: 'type-widened',
      message: `Times of day are read as whole ${unit} since midnight.`,
    },
  };
}

const UNIT_NAMES: Record<string, string> = {
  MILLIS: 'milliseconds',
  MICROS: 'microseconds',
  NANOS: 'nanoseconds',
};

/**
 * The plan for a top-level column of the schema.
 *
 * @example
 * const plans = parquetSchema(metadata).children.map(planColumn);
 */
export function planColumn(node: SchemaTree): ColumnPlan {
  const { type, converted_type: converted, logical_type: logical } = node.element;
  if (node.children.length > 0 || node.element.repetition_type === 'REPEATED' || !type) {
    return {
      sink: 'json',
      note: {
        kind: 'type-widened',
        message: 'Nested values (lists, maps, structs) are read as text: each value as JSON.',
      },
    };
  }
  if (converted === 'DECIMAL' || logical?.type === 'DECIMAL') {
    return decimalPlan(node.element.precision);
  }
  switch (type) {
    case 'BOOLEAN':
      return { sink: 'bool' };
    case 'INT32':
      if (converted === 'DATE' || logical?.type === 'DATE') {
        return { sink: 'number', type: 'date', ArrayType: Int32Array };
      }
      if (converted === 'TIME_MILLIS' || logical?.type === 'TIME') return timePlan('milliseconds');
      if (converted === 'UINT_32' || (logical?.type === 'INTEGER' && !logical.isSigned)) {
        return { sink: 'number', type: 'int', ArrayType: Uint32Array };
      }
      return int32Plan;
    case 'INT64':
      if (
        converted === 'TIMESTAMP_MILLIS' ||
        converted === 'TIMESTAMP_MICROS' ||
        logical?.type === 'TIMESTAMP'
      ) {
        return { sink: 'number', type: 'datetime', ArrayType: Float64Array };
      }
      if (converted === 'TIME_MICROS') return timePlan('microseconds');
      if (logical?.type === 'TIME') return timePlan(UNIT_NAMES[logical.unit] ?? 'microseconds');
      return { sink: 'number', type: 'int', ArrayType: Float64Array };
    case 'INT96':
      return { sink: 'number', type: 'datetime', ArrayType: Float64Array };
    case 'FLOAT':
      return { sink: 'number', type: 'float', ArrayType: Float32Array };
    case 'DOUBLE':
      return { sink: 'number', type: 'float', ArrayType: Float64Array };
    case 'BYTE_ARRAY':
      if (logical?.type === 'GEOMETRY' || logical?.type === 'GEOGRAPHY') {
        return {
          sink: 'json',
          note: { kind: 'type-widened', message: 'Geometries are read as text: each as GeoJSON.' },
        };
      }
      return { sink: 'text' };
    case 'FIXED_LEN_BYTE_ARRAY':
      if (logical?.type === 'FLOAT16') {
        return { sink: 'number', type: 'float', ArrayType: Float64Array };
      }
      if (logical?.type === 'UUID') return { sink: 'text' };
      return {
        sink: 'hex',
        note: {
          kind: 'type-widened',
          message: 'Binary values are read as text: each as hexadecimal.',
        },
      };
  }
}

/** Rows of a column chunk as hyparquet decodes them. */
export type DecodedValues = ArrayLike<unknown>;

/** Fills one column of the model over all row groups. */
export interface ColumnSink {
  /** Writes the values of rows `at .. at + values.length`; returns the first rounded row or -1. */
  write(values: DecodedValues, at: number): number;
  finish(): ColumnData;
}

class NumberSink implements ColumnSink {
  private readonly values: NumericArray;
  private validity: Uint8Array | null = null;

  constructor(
    private readonly type: NumberColumnData['type'],
    ArrayType: NumericArrayConstructor,
    private readonly length: number,
  ) {
    this.values = new ArrayType(length);
  }

  write(source: DecodedValues, at: number): number {
    const values = this.values;
    if (source instanceof BigInt64Array || source instanceof BigUint64Array) {
      const converted = int64ToNumbers(
        halvesOf(source),
        source.length,
        source instanceof BigInt64Array,
      );
      values.set(converted.values, at);
      return converted.firstRounded < 0 ? -1 : at + converted.firstRounded;
    }
    if (ArrayBuffer.isView(source)) {
      values.set(source as unknown as NumericArray, at);
      return -1;
    }
    let firstRounded = -1;
    const count = source.length;
    for (let k = 0; k < count; k++) {
      const value = source[k];
      if (typeof value === 'number') {
        values[at + k] = value;
      } else if (typeof value === 'bigint') {
        const number = Number(value);
        values[at + k] = number;
        if (firstRounded < 0 && !Number.isSafeInteger(number)) firstRounded = at + k;
      } else {
        this.setNull(at + k);
      }
    }
    return firstRounded;
  }

  finish(): NumberColumnData {
    return {
      kind: 'number',
      type: this.type,
      length: this.length,
      values: this.values,
      validity: this.validity,
    };
  }

  private setNull(row: number) {
    this.validity ??= allValid(this.length);
    this.validity[row >> 3]! &= ~(1 << (row & 7));
  }
}

function allValid(length: number): Uint8Array {
  const bits = new Uint8Array((length + 7) >> 3).fill(0xff);
  if (length & 7) bits[bits.length - 1] = (1 << (length & 7)) - 1;
  return bits;
}

class BoolSink implements ColumnSink {
  private readonly bits: Uint8Array;
  private validity: Uint8Array | null = null;

  constructor(private readonly length: number) {
    this.bits = new Uint8Array((length + 7) >> 3);
  }

  write(source: DecodedValues, at: number): number {
    for (let k = 0; k < source.length; k++) {
      const value = source[k];
      const row = at + k;
      if (value === true) this.bits[row >> 3]! |= 1 << (row & 7);
      else if (value !== false) {
        this.validity ??= allValid(this.length);
        this.validity[row >> 3]! &= ~(1 << (row & 7));
      }
    }
    return -1;
  }

  finish(): ColumnData {
    return {
      kind: 'bool',
      type: 'bool',
      length: this.length,
      bits: this.bits,
      validity: this.validity,
    };
  }
}

class TextSink implements ColumnSink {
  private readonly builder = new TextColumnBuilder();

  write(source: DecodedValues): number {
    const builder = this.builder;
    for (let k = 0; k < source.length; k++) {
      const value = source[k];
      if (typeof value === 'string') builder.append(value);
      else if (value === null || value === undefined) builder.appendNull();
      else builder.append(String(value));
    }
    return -1;
  }

  finish(): ColumnData {
    return this.builder.finish();
  }
}

/** Values without a column type of their own, kept as text (JSON, or hex for raw bytes). */
class RenderedSink implements ColumnSink {
  private readonly builder = new Utf8Builder();

  constructor(private readonly render: (value: unknown) => string) {}

  write(source: DecodedValues): number {
    for (let k = 0; k < source.length; k++) {
      const value = source[k];
      if (value === null || value === undefined) this.builder.appendNull();
      else this.builder.append(this.render(value));
    }
    return -1;
  }

  finish(): ColumnData {
    return this.builder.finish();
  }
}

function renderBytes(value: unknown): string {
  return value instanceof Uint8Array ? hexOf(value) : toJsonText(value);
}

/**
 * The sink that fills a column of `length` rows as planned.
 *
 * @example
 * const sink = sinkFor(planColumn(node), rowCount);
 * sink.write(await scan.readColumn({ column, rowStart, rowEnd }), rowStart);
 */
export function sinkFor(plan: ColumnPlan, length: number): ColumnSink {
  switch (plan.sink) {
    case 'number':
      return new NumberSink(plan.type, plan.ArrayType, length);
    case 'bool':
      return new BoolSink(length);
    case 'text':
      return new TextSink();
    case 'json':
      return new RenderedSink(toJsonText);
    case 'hex':
      return new RenderedSink(renderBytes);
  }
}
