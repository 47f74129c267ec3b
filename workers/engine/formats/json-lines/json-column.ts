/**
 * One column of a JSON-lines file while it is read: it takes each row's JSON value as it comes
 * and keeps it in the cheapest form its values so far allow, so the file is never held as a
 * million JavaScript objects:
 * - numbers in one growing Float64Array (at the end: `int` in an Int32Array when all are whole
 *   and fit 32 bits, `int` in the Float64Array when whole, else `float`);
 * - booleans bit-packed;
 * - strings in a `TextColumnBuilder` (category or UTF-8), and beside them, while every string so
 *   far is an ISO date or date-time, its value, so the column becomes `date` or `datetime`;
 * - objects and arrays as their JSON text, in the string column (with a `type-widened` note).
 * When values of different kinds meet (a number, then a string), the column becomes text: what
 * it held so far is written out as text (numbers as JavaScript prints them), with a note naming
 * the line.
 */
import { TextColumnBuilder } from '../../arrow/index.ts';
import { BoolBuilder, ValidityBuilder } from '../../columns/column-builder.ts';
import type { ColumnData } from '../../columns/column-data.ts';
import type { LoadWarning } from '../../protocol.ts';
import { parseIsoDate, parseIsoDatetime } from './iso-dates.ts';

const MS_PER_DAY = 86_400_000;
const INITIAL_CAPACITY = 1024;

type Kind = 'none' | 'number' | 'bool' | 'text';

/** A growing Float64Array. */
class Float64Run {
  values = new Float64Array(INITIAL_CAPACITY);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}

/**
 * The `precision-lost` warning of a column whose whole numbers beyond ±2^53 were rounded when
 * `JSON.parse` read them, the first on `line`.
 *
 * @example
 * warnings.push(roundedWarning('id', 12));
 */
export function roundedWarning(column: string, line: number): LoadWarning {
  return {
    kind: 'precision-lost',
    line,
    column,
    message: `Column "${column}" holds whole numbers beyond ±2^53 (the first on line ${line}); they were rounded to the nearest number that can be held.`,
  };
}

/**
 * A column whose type is inferred from its values.
 *
 * @example
 * const column = new JsonColumn('dose', warnings);
 * column.add(0.5, 1);
 * column.finish(); // { kind: 'number', type: 'float', … }
 */
export class JsonColumn {
  private kind: Kind = 'none';
  /** Rows before the first value, all null. */
  private leadingNulls = 0;
  private numbers: Float64Run | null = null;
  private numberNulls: ValidityBuilder | null = null;
  private allInt32 = true;
  private allWhole = true;
  private bools: BoolBuilder | null = null;
  private text: TextColumnBuilder | null = null;
  /** Each string's date or date-time (ms), while all strings so far are one; NaN for nulls. */
  private temporal: Float64Run | null = null;
  private onlyDates = true;
  private preciseReported = false;
  private nestedReported = false;
  private mixedReported = false;
  /** Rows taken so far. */
  length = 0;

  constructor(
    readonly name: string,
    private readonly warnings: LoadWarning[],
  ) {}

  /** Takes the value of the next row (`undefined` when the row lacks the key), from `line`. */
  add(value: unknown, line: number): void {
    if (value === null || value === undefined) {
      this.addNull();
      return;
    }
    switch (typeof value) {
      case 'number':
        this.addNumber(value, line);
        break;
      case 'boolean':
        this.addBool(value, line);
        break;
      case 'string':
        this.addString(value, line);
        break;
      default:
        this.addNested(value, line);
    }
    this.length++;
  }

  addNull(): void {
    switch (this.kind) {
      case 'none':
        this.leadingNulls++;
        break;
      case 'number':
        this.numberNulls ??= new ValidityBuilder();
        this.numberNulls.setNull(this.numbers!.length);
        this.numbers!.push(0);
        break;
      case 'bool':
        this.bools!.appendNull();
        break;
      case 'text':
        this.text!.appendNull();
        this.temporal?.push(NaN);
        break;
    }
    this.length++;
  }

  finish(): ColumnData {
    const length = this.length;
    switch (this.kind) {
      case 'none':
        return {
          kind: 'utf8',
          type: 'string',
          length,
          offsets: new Int32Array(length + 1),
          bytes: new Uint8Array(0),
          validity: new Uint8Array((length + 7) >> 3),
        };
      case 'number': {
        const run = this.numbers!;
        const validity = this.numberNulls?.finish(length) ?? null;
        if (this.allInt32) {
          return {
            kind: 'number',
            type: 'int',
            length,
            values: Int32Array.from(run.values.subarray(0, length)),
            validity,
          };
        }
        const values = run.values.slice(0, length);
        return { kind: 'number', type: this.allWhole ? 'int' : 'float', length, values, validity };
      }
      case 'bool':
        return this.bools!.finish();
      case 'text': {
        const temporal = this.temporal;
        if (temporal === null) return this.text!.finish();
        const validity = new ValidityBuilder();
        if (this.onlyDates) {
          const days = new Int32Array(length);
          for (let row = 0; row < length; row++) {
            const value = temporal.values[row]!;
            if (value !== value) validity.setNull(row);
            else days[row] = value / MS_PER_DAY;
          }
          return {
            kind: 'number',
            type: 'date',
            length,
            values: days,
            validity: validity.finish(length),
          };
        }
        const millis = temporal.values.slice(0, length);
        for (let row = 0; row < length; row++) {
          if (millis[row] !== millis[row]) {
            validity.setNull(row);
            millis[row] = 0;
          }
        }
        return {
          kind: 'number',
          type: 'datetime',
          length,
          values: millis,
          validity: validity.finish(length),
        };
      }
    }
  }

  private begin(kind: Exclude<Kind, 'none'>) {
    this.kind = kind;
    const nulls = this.leadingNulls;
    this.leadingNulls = 0;
    if (kind === 'number') this.numbers = new Float64Run();
    else if (kind === 'bool') this.bools = new BoolBuilder();
    else {
      this.text = new TextColumnBuilder();
      this.temporal = new Float64Run();
    }
    // `addNull` counts rows; undo so the leading nulls are not counted twice.
    this.length -= nulls;
    for (let k = 0; k < nulls; k++) this.addNull();
  }

  private addNumber(value: number, line: number) {
    if (this.kind === 'none') this.begin('number');
    if (this.kind === 'number') {
      this.numbers!.push(value);
      if ((value | 0) !== value) {
        this.allInt32 = false;
        if (!Number.isInteger(value)) this.allWhole = false;
        else if (!this.preciseReported && !Number.isSafeInteger(value)) {
          this.preciseReported = true;
          this.warnings.push(roundedWarning(this.name, line));
        }
      }
      return;
    }
    this.toText(line, 'numbers');
    this.appendText(String(value));
  }

  private addBool(value: boolean, line: number) {
    if (this.kind === 'none') this.begin('bool');
    if (this.kind === 'bool') {
      this.bools!.append(value);
      return;
    }
    this.toText(line, 'true/false values');
    this.appendText(value ? 'true' : 'false');
  }

  private addString(value: string, line: number) {
    if (this.kind === 'none') this.begin('text');
    if (this.kind !== 'text') this.toText(line, 'text');
    this.text!.append(value);
    const temporal = this.temporal;
    if (temporal === null) return;
    const days = parseIsoDate(value);
    if (days === days) {
      temporal.push(days * MS_PER_DAY);
      return;
    }
    const millis = parseIsoDatetime(value);
    if (millis === millis) {
      this.onlyDates = false;
      temporal.push(millis);
      return;
    }
    this.temporal = null;
  }

  private addNested(value: unknown, line: number) {
    if (this.kind === 'none') this.begin('text');
    if (this.kind !== 'text') this.toText(line, 'objects or arrays');
    if (!this.nestedReported) {
      this.nestedReported = true;
      this.warnings.push({
        kind: 'type-widened',
        line,
        column: this.name,
        message: `Column "${this.name}" holds objects or arrays (the first on line ${line}); they are kept as JSON text.`,
      });
    }
    this.appendText(JSON.stringify(value));
  }

  /** A string that is not a date, in a text column. */
  private appendText(value: string) {
    this.text!.append(value);
    if (this.temporal !== null) this.temporal = null;
  }

  /** Turns a number or bool column into text, writing out what it held. */
  private toText(line: number, newcomer: string) {
    const was = this.kind;
    if (was === 'text') {
      if (this.temporal !== null) this.temporal = null;
      this.reportMixed(line, `text and ${newcomer}`);
      return;
    }
    const text = new TextColumnBuilder();
    if (was === 'number') {
      const run = this.numbers!;
      const nulls = this.numberNulls?.finish(run.length) ?? null;
      for (let row = 0; row < run.length; row++) {
        if (nulls !== null && !(nulls[row >> 3]! & (1 << (row & 7)))) text.appendNull();
        else text.append(String(run.values[row]));
      }
      this.numbers = null;
      this.numberNulls = null;
      this.reportMixed(line, `numbers and ${newcomer}`);
    } else {
      const bools = this.bools!.finish();
      for (let row = 0; row < bools.length; row++) {
        const valid = bools.validity === null || bools.validity[row >> 3]! & (1 << (row & 7));
        if (!valid) text.appendNull();
        else text.append(bools.bits[row >> 3]! & (1 << (row & 7)) ? 'true' : 'false');
      }
      this.bools = null;
      this.reportMixed(line, `true/false values and ${newcomer}`);
    }
    this.kind = 'text';
    this.text = text;
    this.temporal = null;
  }

  private reportMixed(line: number, what: string) {
    if (this.mixedReported) return;
    this.mixedReported = true;
    this.warnings.push({
      kind: 'type-widened',
      line,
      column: this.name,
      message: `Column "${this.name}" mixes ${what} (from line ${line}); it is read as text.`,
    });
  }
}
