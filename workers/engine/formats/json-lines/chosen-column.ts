/**
 * One column of a JSON-lines file whose type the user chose (`columnTypes`). The type never
 * changes, whatever the values: each is converted to it as the CSV reader converts text for a
 * chosen type, and one that does not fit becomes null, with one `value-dropped` warning per
 * column naming the first few and their lines (`DroppedValues`, shared with CSV). The user chose
 * the type because inference did not give what they meant, so a value that does not fit is
 * theirs to find, not a reason to give up the type.
 *
 * - `string` keeps strings and writes numbers, booleans, objects and arrays as their JSON text;
 *   `category` the same, as a dictionary however many distinct values there are.
 * - `int` and `float` take numbers and strings that are numbers as CSV writes them (`007`,
 *   `1e3`, `inf`, spaces around); for `int` a number that is not whole does not fit.
 * - `bool` takes booleans, the numbers 1 and 0, and the strings CSV takes for a chosen bool
 *   (`true`/`false`, `t`/`f`, `yes`/`no`, `y`/`n`, `1`/`0`, in any case).
 * - `date` and `datetime` take ISO strings as inference reads them (`iso-dates.ts`): a date-time
 *   chosen as `date` is its UTC day, a date chosen as `datetime` is its midnight UTC.
 * In every type but `string` and `category`, a string of spaces only is null, as an empty field
 * of a typed CSV column is.
 */
import {
  BoolBuilder,
  DictBuilder,
  NumberBuilder,
  Utf8Builder,
} from '../../columns/column-builder.ts';
import type { ColumnData, LogicalType } from '../../columns/column-data.ts';
import type { LoadWarning } from '../../protocol.ts';
import { DroppedValues } from '../chosen-types.ts';
import { parseIsoDate, parseIsoDatetime } from './iso-dates.ts';
import { roundedWarning } from './json-column.ts';

const MS_PER_DAY = 86_400_000;

/** A number as CSV reads one: sign, digits with an optional fraction and exponent, or infinity. */
const NUMBER_TEXT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf|infinity)$/i;

const BOOL_TEXT = new Map<string, boolean>([
  ['true', true],
  ['t', true],
  ['yes', true],
  ['y', true],
  ['1', true],
  ['false', false],
  ['f', false],
  ['no', false],
  ['n', false],
  ['0', false],
]);

/** The text without the spaces and tabs around it, as CSV trims a typed field. */
function trimmed(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** The number a trimmed string writes, else `NaN`. */
function numberOf(text: string): number {
  if (!NUMBER_TEXT.test(text)) return NaN;
  const last = text.charCodeAt(text.length - 1) | 0x20;
  // `inf` and `infinity` end in a letter; every other number here ends in a digit or a dot.
  if (last === 0x66 /* f */ || last === 0x79 /* y */) {
    return text.charCodeAt(0) === 0x2d /* - */ ? -Infinity : Infinity;
  }
  return Number(text);
}

/** The boolean a value stands for (`text` is a string value, trimmed), else `undefined`. */
function boolOf(value: unknown, text: string): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  return typeof value === 'string' ? BOOL_TEXT.get(text.toLowerCase()) : undefined;
}

/** A value as a message shows it: its JSON text, shortened (strings inside their quotes). */
function shown(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  const text = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The row's value as text, for `string` and `category` columns. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  // Numbers as JavaScript writes them (as inference writes out a column that turns to text).
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/**
 * A column of the chosen `type`, taking each row's JSON value as it comes.
 *
 * @example
 * const column = new ChosenColumn('dose', 'float', warnings);
 * column.add('2.5', 1);
 * column.add('n.d.', 2); // null, and a value-dropped warning naming line 2
 * column.finish(); // { kind: 'number', type: 'float', values: Float64Array [2.5, 0], … }
 */
export class ChosenColumn {
  private readonly builder: NumberBuilder | BoolBuilder | Utf8Builder | DictBuilder;
  private readonly dropped: DroppedValues;
  /** Where this column's `value-dropped` warning is in `warnings`, once there is one. */
  private droppedAt = -1;
  private roundedReported = false;
  /** For `int`: whether every value so far fits 32 bits, so the column can be an Int32Array. */
  private allInt32 = true;

  constructor(
    readonly name: string,
    readonly type: LogicalType,
    private readonly warnings: LoadWarning[],
  ) {
    this.dropped = new DroppedValues(name, type);
    switch (type) {
      case 'string':
        this.builder = new Utf8Builder();
        break;
      case 'category':
        this.builder = new DictBuilder();
        break;
      case 'bool':
        this.builder = new BoolBuilder();
        break;
      case 'int':
        // Whole numbers beyond 32 bits are kept exactly up to 2^53; narrowed at the end if they fit.
        this.builder = new NumberBuilder('int', Float64Array);
        break;
      default:
        this.builder = new NumberBuilder(type);
    }
  }

  /** Rows taken so far. */
  get length(): number {
    return this.builder.length;
  }

  /** Takes the value of the next row (`undefined` when the row lacks the key), from `line`. */
  add(value: unknown, line: number): void {
    if (value === null || value === undefined) {
      this.builder.appendNull();
      return;
    }
    const builder = this.builder;
    if (builder instanceof Utf8Builder || builder instanceof DictBuilder) {
      if (typeof value === 'number') this.checkRounded(value, line);
      builder.append(textOf(value));
      return;
    }
    let text = '';
    if (typeof value === 'string') {
      text = trimmed(value);
      if (text === '') {
        builder.appendNull();
        return;
      }
    }
    if (builder instanceof BoolBuilder) {
      const flag = boolOf(value, text);
      if (flag === undefined) this.drop(value, line);
      else builder.append(flag);
      return;
    }
    const number = this.numberFor(value, text);
    if (number !== number) {
      this.drop(value, line);
      return;
    }
    if (this.type === 'int' || this.type === 'float') this.checkRounded(number, line);
    if (this.type === 'int' && (number | 0) !== number) this.allInt32 = false;
    builder.append(number);
  }

  addNull(): void {
    this.builder.appendNull();
  }

  finish(): ColumnData {
    if (this.dropped.count > 1) this.warnings[this.droppedAt] = this.dropped.warning();
    const data = this.builder.finish();
    if (this.type === 'int' && this.allInt32 && data.kind === 'number') {
      return { ...data, values: Int32Array.from(data.values) };
    }
    return data;
  }

  /** The value in the column's number storage (days, milliseconds or the number), else `NaN`. */
  private numberFor(value: unknown, text: string): number {
    switch (this.type) {
      case 'int': {
        const number = typeof value === 'number' ? value : numberOf(text);
        return Number.isInteger(number) ? number : NaN;
      }
      case 'float':
        return typeof value === 'number' ? value : numberOf(text);
      case 'date': {
        if (typeof value !== 'string') return NaN;
        const days = parseIsoDate(text);
        return days === days ? days : Math.floor(parseIsoDatetime(text) / MS_PER_DAY);
      }
      default: {
        if (typeof value !== 'string') return NaN;
        const days = parseIsoDate(text);
        return days === days ? days * MS_PER_DAY : parseIsoDatetime(text);
      }
    }
  }

  /** Whole numbers beyond ±2^53 were rounded when read: told once, as inference tells it. */
  private checkRounded(value: number, line: number) {
    if (this.roundedReported || !Number.isInteger(value) || Number.isSafeInteger(value)) return;
    this.roundedReported = true;
    this.warnings.push(roundedWarning(this.name, line));
  }

  private drop(value: unknown, line: number) {
    this.builder.appendNull();
    this.dropped.note(line, shown(value));
    if (this.dropped.count === 1) {
      this.droppedAt = this.warnings.length;
      this.warnings.push(this.dropped.warning());
    }
  }
}
