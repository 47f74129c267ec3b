/**
 * One column of a CSV file as it is read: typed storage that grows batch by batch, the type
 * inferred so far, and the rules for changing it. Each batch is read by the loop of the current
 * type (`batch-loops.ts`); a field that loop cannot take comes here, one at a time.
 *
 * Inference is speculative and single-pass. A column starts with no type; its first value picks
 * one; a later value that does not fit widens it along INT32 → INT53 → FLOAT, DATE → DATETIME,
 * and anything else to text, with a `type-widened` warning naming the line. Numeric widenings
 * convert the stored values exactly. Widening to text re-reads the current batch from the file's
 * bytes (still in memory), but rows of earlier batches are gone and are written out again from
 * their values (`1.50` comes back as `1.5`); the warning says so.
 *
 * Text is kept as dictionary codes while it repeats enough to be a category, by the rule every
 * reader shares (`TextColumnBuilder` in `arrow/`: at most `CATEGORY_MIN_DISTINCT` distinct values,
 * or at most one distinct value per two values), and switches once to UTF-8 bytes with offsets
 * when it does not. A type chosen by the user (`fixed`) never changes; a value that does not
 * parse as it becomes null, and one `value-dropped` warning per column names the first lines and
 * counts them (`DroppedValues`, shared with JSON lines).
 */
import { CATEGORY_MIN_DISTINCT } from '../../arrow/index.ts';
import type { ColumnData, LogicalType } from '../../columns/column-data.ts';
import { DroppedValues } from '../chosen-types.ts';
import {
  readBoolRun,
  readDateRun,
  readDatetimeRun,
  readDictRun,
  readFloatRun,
  readInt32Run,
  readInt53Run,
  readNullRun,
  readUtf8Run,
} from './batch-loops.ts';
import { ByteDictionary, fnv1a } from './byte-dictionary.ts';
import type { CsvScanner } from './csv-scanner.ts';
import { isQuotedField } from './csv-scanner.ts';
import {
  BOOL,
  classifyField,
  DATE,
  DATETIME,
  EMPTY,
  FLOAT,
  HUGE_INT,
  INT32,
  INT53,
  joinKinds,
  NULL_FIELD,
  TEXT,
  trimField,
  type ColumnKind,
} from './field-kind.ts';
import {
  decodeText,
  formatDate,
  isNullToken,
  isValidUtf8,
  MAX_EXACT_INTEGER,
  parseBool,
  parseDate,
  parseDatetime,
  parseDecimal,
  parseInteger,
  repairUtf8,
} from './parse-values.ts';
import type { WarningLog } from './warning-log.ts';

const MS_PER_DAY = 86_400_000;
const QUOTE = 34;
const INITIAL_ROWS = 1_024;

const KIND_NAMES: Record<ColumnKind, string> = {
  [EMPTY]: 'empty',
  [INT32]: 'whole numbers (int)',
  [INT53]: 'whole numbers (int)',
  [FLOAT]: 'decimal numbers (float)',
  [BOOL]: 'true/false (bool)',
  [DATE]: 'dates',
  [DATETIME]: 'date-times',
  [TEXT]: 'text',
};

const FIXED_KINDS: Record<LogicalType, ColumnKind> = {
  int: INT32,
  float: FLOAT,
  bool: BOOL,
  date: DATE,
  datetime: DATETIME,
  string: TEXT,
  category: TEXT,
};

/** Options of a column reader. */
export interface ColumnReaderOptions {
  /** The type the user chose; inferred when absent. */
  readonly fixed?: LogicalType | undefined;
  /** A second byte taken for the decimal point (a comma in `;`-separated files), else `.`. */
  readonly decimalMark: number;
}

/** A value as a message shows it: the text, shortened, in quotes. */
function shown(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(short);
}

const textEncoder = new TextEncoder();
const range = new Int32Array(2);

/**
 * Reads one column of every batch and finishes it into `ColumnData`.
 *
 * @example
 * const reader = new ColumnReader('dose', log, { decimalMark: 46 });
 * reader.readBatch(scanner, 2);
 * const data = reader.finish();
 */
export class ColumnReader {
  private kind: ColumnKind;
  /** Text kept as dictionary codes (else UTF-8 offsets and bytes). */
  private dictionaryMode: boolean;
  private rows = 0;
  private capacity = 0;
  /** The rows the file is expected to hold (from its size), or 0 when unknown. */
  private expectedRows = 0;
  private ints = new Int32Array(0);
  private floats = new Float64Array(0);
  private bits = new Uint8Array(0);
  private codes = new Int32Array(0);
  private offsets = new Int32Array(1);
  private bytes = new Uint8Array(0);
  private dictionary = new ByteDictionary();
  private validity: Uint8Array | null = null;
  private scratch = new Uint8Array(256);
  private readonly fixed: LogicalType | undefined;
  private readonly decimalMark: number;
  /** Values that did not fit the chosen type, and the slot of their warning. */
  private readonly dropped: DroppedValues | null;
  private droppedSlot = -1;
  private precisionWarned = false;

  constructor(
    readonly name: string,
    private readonly log: WarningLog,
    options: ColumnReaderOptions,
  ) {
    this.fixed = options.fixed;
    this.dropped = this.fixed === undefined ? null : new DroppedValues(name, this.fixed);
    this.decimalMark = options.decimalMark;
    this.kind = this.fixed === undefined ? EMPTY : FIXED_KINDS[this.fixed];
    this.dictionaryMode = this.fixed !== 'string';
  }

  /**
   * Says how many rows the file likely holds, so storage grows to that at once.
   *
   * @example
   * reader.expectRows(1_000_000);
   */
  expectRows(rows: number): void {
    this.expectedRows = rows;
  }

  /**
   * Reads this reader's column (`column`) of the scanner's current batch.
   *
   * @example
   * readers.forEach((reader, column) => reader.readBatch(scanner, column));
   */
  readBatch(scanner: CsvScanner, column: number): void {
    const count = scanner.count;
    if (count === 0) return;
    const rowBase = this.rows;
    this.reserve(rowBase + count);
    let record = 0;
    while (record < count) {
      record = this.run(scanner, column, record, count, rowBase);
      if (record < count) record = this.slowField(scanner, column, record, rowBase);
    }
    this.rows = rowBase + count;
  }

  /** The fast loop of the current kind, from `from`; returns where it stopped. */
  private run(
    scanner: CsvScanner,
    column: number,
    from: number,
    count: number,
    rowBase: number,
  ): number {
    const { buf, starts, ends, columnCount: stride } = scanner;
    switch (this.kind) {
      case EMPTY:
        return readNullRun(buf, starts, ends, stride, column, from, count, rowBase, this.validity);
      case INT32: {
        const { ints, validity } = this;
        return readInt32Run(
          buf,
          starts,
          ends,
          stride,
          column,
          from,
          count,
          rowBase,
          ints,
          validity,
        );
      }
      case INT53: {
        const { floats, validity } = this;
        return readInt53Run(
          buf,
          starts,
          ends,
          stride,
          column,
          from,
          count,
          rowBase,
          floats,
          validity,
        );
      }
      case FLOAT: {
        const { floats, validity, decimalMark } = this;
        return readFloatRun(
          buf,
          starts,
          ends,
          stride,
          column,
          from,
          count,
          rowBase,
          floats,
          validity,
          decimalMark,
        );
      }
      case BOOL:
        return readBoolRun(
          buf,
          starts,
          ends,
          stride,
          column,
          from,
          count,
          rowBase,
          this.bits,
          this.validity,
        );
      case DATE:
        return readDateRun(
          buf,
          starts,
          ends,
          stride,
          column,
          from,
          count,
          rowBase,
          this.ints,
          this.validity,
        );
      case DATETIME:
        return readDatetimeRun(
          buf,
          starts,
          ends,
          stride,
          column,
          from,
          count,
          rowBase,
          this.floats,
          this.validity,
        );
      case TEXT:
        return this.dictionaryMode
          ? readDictRun(
              buf,
              starts,
              ends,
              stride,
              column,
              from,
              count,
              rowBase,
              this.codes,
              this.validity,
              this.dictionary,
              this.fixed === 'category' ? Infinity : CATEGORY_MIN_DISTINCT,
            )
          : readUtf8Run(
              buf,
              starts,
              ends,
              stride,
              column,
              from,
              count,
              rowBase,
              this.offsets,
              this.bytes,
              this.validity,
            );
    }
  }

  /**
   * The one field the fast loop stopped at; returns the record to go on from (0 after a
   * widening to text, which re-reads the batch).
   */
  private slowField(scanner: CsvScanner, column: number, record: number, rowBase: number): number {
    const { buf } = scanner;
    const at = record * scanner.columnCount + column;
    const start = scanner.starts[at]!;
    const end = scanner.ends[at]!;
    const row = rowBase + record;
    const line = scanner.lines[record]!;
    if (this.kind === TEXT) {
      this.slowText(buf, start, end, row, line);
      return record + 1;
    }
    if (this.fixed !== undefined) {
      this.slowFixed(buf, start, end, row, line);
      return record + 1;
    }
    const fieldKind = classifyField(buf, start, end, this.decimalMark);
    if (fieldKind === NULL_FIELD) {
      this.setNull(row);
      return record + 1;
    }
    const target = joinKinds(this.kind, fieldKind);
    if (fieldKind === HUGE_INT && target === INT53) {
      this.warnPrecision(line, fieldText(buf, start, end));
    }
    if (target === TEXT) {
      this.widenToText(rowBase, record, line, fieldText(buf, start, end));
      return 0;
    }
    if (target !== this.kind) {
      // 32 or 53 bits is how an int is held, not a type the user sees change.
      if (this.kind !== EMPTY && !(this.kind === INT32 && target === INT53)) {
        this.warnWidened(line, fieldText(buf, start, end), target, false);
      }
      this.convert(target, row);
    }
    trimField(buf, start, end, range);
    this.storeTyped(buf, range[0]!, range[1]!, row, fieldKind === DATE);
    return record + 1;
  }

  /** Stores a field known to parse as the column's (typed) kind. */
  private storeTyped(buf: Uint8Array, from: number, to: number, row: number, isDate: boolean) {
    switch (this.kind) {
      case INT32:
        this.ints[row] = parseInteger(buf, from, to);
        break;
      case INT53:
      case FLOAT:
        this.floats[row] = parseDecimal(buf, from, to, this.decimalMark);
        break;
      case BOOL:
        if (parseBool(buf, from, to, this.fixed === 'bool') === 1) {
          this.bits[row >> 3]! |= 1 << (row & 7);
        } else {
          this.bits[row >> 3]! &= ~(1 << (row & 7));
        }
        break;
      case DATE:
        this.ints[row] = isDate
          ? parseDate(buf, from, to)
          : Math.floor(parseDatetime(buf, from, to) / MS_PER_DAY);
        break;
      case DATETIME:
        this.floats[row] = isDate
          ? parseDate(buf, from, to) * MS_PER_DAY
          : parseDatetime(buf, from, to);
        break;
    }
  }

  /** A field of a column whose type the user chose: its value, else null and a warning. */
  private slowFixed(buf: Uint8Array, start: number, end: number, row: number, line: number) {
    if (start < 0 || end === start) {
      this.setNull(row);
      return;
    }
    const escaped = end < 0;
    const realEnd = escaped ? ~end : end;
    trimField(buf, start, realEnd, range);
    const from = range[0]!;
    const to = range[1]!;
    const unquoted = !isQuotedField(buf, start);
    if (from === to || (unquoted && isNullToken(buf, from, to))) {
      this.setNull(row);
      return;
    }
    let parsed = !escaped;
    let isDate = false;
    if (parsed) {
      switch (this.fixed) {
        case 'int': {
          const value = parseDecimal(buf, from, to, this.decimalMark);
          parsed = Number.isInteger(value);
          if (!parsed) break;
          if (Math.abs(value) > MAX_EXACT_INTEGER || parseInteger(buf, from, to) === Infinity) {
            this.warnPrecision(line, fieldText(buf, start, end));
          }
          if (this.kind === INT32 && (value < -2_147_483_648 || value > 2_147_483_647)) {
            this.convert(INT53, row);
          }
          if (this.kind === INT32) this.ints[row] = value;
          else this.floats[row] = value;
          return;
        }
        case 'float':
          parsed = !Number.isNaN(parseDecimal(buf, from, to, this.decimalMark));
          break;
        case 'bool':
          parsed = parseBool(buf, from, to, true) >= 0;
          break;
        case 'date':
        case 'datetime':
          isDate = !Number.isNaN(parseDate(buf, from, to));
          parsed = isDate || !Number.isNaN(parseDatetime(buf, from, to));
          break;
      }
    }
    if (parsed) {
      this.storeTyped(buf, from, to, row, isDate);
      return;
    }
    this.setNull(row);
    this.noteFailure(line, fieldText(buf, start, end));
  }

  /** A text field the fast loop could not take: escapes, a null, bad UTF-8 or a full buffer. */
  private slowText(buf: Uint8Array, start: number, end: number, row: number, line: number) {
    if (start < 0 || end === start) {
      this.setNull(row);
      return;
    }
    let source = buf;
    let from = start;
    let to = end;
    if (end < 0) {
      to = this.unescape(buf, start, ~end);
      source = this.scratch;
      from = 0;
    } else if (!isQuotedField(buf, start) && isNullToken(buf, start, end)) {
      this.setNull(row);
      return;
    }
    if (!isValidUtf8(source, from, to)) {
      source = repairUtf8(source, from, to);
      from = 0;
      to = source.length;
      this.log.invalidUtf8(line, () => ({
        kind: 'invalid-utf8',
        line,
        column: this.name,
        message: `Line ${line}, column "${this.name}": some bytes are not valid UTF-8 and were replaced with "\uFFFD" (here and wherever else they occur). The file may be in another encoding (Latin-1, Windows-1252); save it as UTF-8 to keep every character.`,
      }));
    }
    this.appendText(row, source, from, to);
  }

  /** The field's bytes with each `""` made one `"`, into `scratch`; returns their length. */
  private unescape(buf: Uint8Array, start: number, end: number): number {
    if (this.scratch.length < end - start) this.scratch = new Uint8Array((end - start) * 2);
    const scratch = this.scratch;
    let length = 0;
    for (let at = start; at < end; at++) {
      const byte = buf[at]!;
      scratch[length++] = byte;
      if (byte === QUOTE) at++;
    }
    return length;
  }

  /**
   * Appends text (known to be UTF-8) as row `row`, in the current text storage. A new value
   * that would break the category rule (see `readDictRun`) turns the column into UTF-8 first.
   */
  private appendText(row: number, source: Uint8Array, from: number, to: number): void {
    if (this.dictionaryMode) {
      const dictionary = this.dictionary;
      const hash = fnv1a(source, from, to);
      let code = dictionary.find(source, from, to, hash);
      if (code < 0) {
        const size = dictionary.size;
        if (
          this.fixed === 'category' ||
          size < CATEGORY_MIN_DISTINCT ||
          (size + 1) * 2 <= row + 1
        ) {
          code = dictionary.add(source, from, to, hash);
        } else {
          this.dictionaryToUtf8(row);
        }
      }
      if (code >= 0) {
        this.codes[row] = code;
        return;
      }
    }
    const at = this.offsets[row]!;
    const length = to - from;
    if (at + length > this.bytes.length) this.growBytes(at + length);
    this.bytes.set(source.subarray(from, to), at);
    this.offsets[row + 1] = at + length;
  }

  private growBytes(needed: number): void {
    if (needed > 2_147_483_647) {
      throw new RangeError(`Column "${this.name}" holds more than 2 GiB of text.`);
    }
    const doubled = Math.max(needed, this.bytes.length * 2, 4_096);
    const grown = new Uint8Array(Math.min(2_147_483_647, doubled));
    grown.set(this.bytes);
    this.bytes = grown;
  }

  private setNull(row: number): void {
    if (this.validity === null) {
      this.validity = new Uint8Array((this.capacity + 7) >> 3).fill(0xff);
    }
    this.validity[row >> 3]! &= ~(1 << (row & 7));
    switch (this.kind) {
      case INT32:
      case DATE:
        this.ints[row] = 0;
        break;
      case INT53:
      case FLOAT:
      case DATETIME:
        this.floats[row] = 0;
        break;
      case BOOL:
        this.bits[row >> 3]! &= ~(1 << (row & 7));
        break;
      case TEXT:
        if (this.dictionaryMode) this.codes[row] = 0;
        else this.offsets[row + 1] = this.offsets[row]!;
        break;
    }
  }

  private isValid(row: number): boolean {
    return this.validity === null || (this.validity[row >> 3]! & (1 << (row & 7))) !== 0;
  }

  /** Room for `rows` rows in the current kind's storage (and the validity bitmap). */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const grown = this.expectedRows >= rows ? this.expectedRows : this.capacity * 2;
    const capacity = Math.max(rows, grown, INITIAL_ROWS);
    switch (this.kind) {
      case INT32:
      case DATE:
        this.ints = grownInt32(this.ints, capacity);
        break;
      case INT53:
      case FLOAT:
      case DATETIME: {
        const floats = new Float64Array(capacity);
        floats.set(this.floats);
        this.floats = floats;
        break;
      }
      case BOOL:
        this.bits = grownBytes(this.bits, (capacity + 7) >> 3, 0);
        break;
      case TEXT:
        if (this.dictionaryMode) this.codes = grownInt32(this.codes, capacity);
        else this.offsets = grownInt32(this.offsets, capacity + 1);
        break;
    }
    if (this.validity !== null)
      this.validity = grownBytes(this.validity, (capacity + 7) >> 3, 0xff);
    this.capacity = capacity;
  }

  /** Converts rows `0 .. rows` to the wider typed kind `target`, exactly. */
  private convert(target: ColumnKind, rows: number): void {
    const capacity = this.capacity;
    const from = this.kind;
    this.kind = target;
    if (from === EMPTY) {
      if (target === INT32 || target === DATE) this.ints = new Int32Array(capacity);
      else if (target === BOOL) this.bits = new Uint8Array((capacity + 7) >> 3);
      else this.floats = new Float64Array(capacity);
      return;
    }
    if (from === INT53 && target === FLOAT) return;
    const floats = new Float64Array(capacity);
    const ints = this.ints;
    const factor = from === DATE ? MS_PER_DAY : 1;
    for (let row = 0; row < rows; row++) floats[row] = ints[row]! * factor;
    this.floats = floats;
    this.ints = new Int32Array(0);
  }

  /**
   * Makes the column text: rows of earlier batches (`0 .. rowBase`) are written out from their
   * values; the current batch's rows are read again from the file's bytes.
   */
  private widenToText(rowBase: number, record: number, line: number, text: string): void {
    const from = this.kind;
    if (from !== EMPTY) this.warnWidened(line, text, TEXT, rowBase > 0 && from !== DATE);
    this.kind = TEXT;
    this.dictionaryMode = true;
    this.dictionary = new ByteDictionary();
    this.codes = new Int32Array(this.capacity);
    for (let row = 0; row < rowBase; row++) {
      if (!this.isValid(row)) {
        if (!this.dictionaryMode) this.offsets[row + 1] = this.offsets[row]!;
        continue;
      }
      const written = textEncoder.encode(this.formatValue(from, row));
      this.appendText(row, written, 0, written.length);
    }
    this.ints = new Int32Array(0);
    this.floats = new Float64Array(0);
    this.bits = new Uint8Array(0);
    const validity = this.validity;
    if (validity !== null) {
      for (let row = rowBase; row < rowBase + record; row++) {
        validity[row >> 3]! |= 1 << (row & 7);
      }
    }
  }

  private formatValue(kind: ColumnKind, row: number): string {
    switch (kind) {
      case INT32:
        return String(this.ints[row]!);
      case DATE:
        return formatDate(this.ints[row]!);
      case BOOL:
        return (this.bits[row >> 3]! & (1 << (row & 7))) !== 0 ? 'true' : 'false';
      case DATETIME:
        return new Date(this.floats[row]!).toISOString();
      default:
        return String(this.floats[row]!);
    }
  }

  /** Text as codes → text as bytes, for the first `rows` rows (all stored rows by default). */
  private dictionaryToUtf8(rows: number = this.rows): void {
    const dictionary = this.dictionary;
    const codes = this.codes;
    let total = 0;
    for (let row = 0; row < rows; row++) {
      if (this.isValid(row)) total += dictionary.lengthOf(codes[row]!);
    }
    const offsets = new Int32Array(this.capacity + 1);
    // Room for the rows to come at the bytes per row so far, when the file's size is known.
    const room = rows > 0 && this.expectedRows > rows ? (total / rows) * this.expectedRows : 0;
    const bytes = new Uint8Array(Math.max(Math.ceil(room * 1.05), total * 2, 4_096));
    const source = dictionary.bytes;
    let at = 0;
    for (let row = 0; row < rows; row++) {
      if (this.isValid(row)) {
        const code = codes[row]!;
        const start = dictionary.offsets[code]!;
        const end = dictionary.offsets[code + 1]!;
        for (let k = start; k < end; k++) bytes[at++] = source[k]!;
      }
      offsets[row + 1] = at;
    }
    this.offsets = offsets;
    this.bytes = bytes;
    this.codes = new Int32Array(0);
    this.dictionary = new ByteDictionary();
    this.dictionaryMode = false;
  }

  private warnWidened(line: number, text: string, target: ColumnKind, rewritten: boolean): void {
    if (!this.log.wantsMore) {
      this.log.countOnly();
      return;
    }
    const was = KIND_NAMES[this.kind];
    const rewrite = rewritten
      ? ' Values of earlier lines were written out again from their numbers or dates, so their spelling may differ from the file (1.50 becomes 1.5).'
      : '';
    this.log.add({
      kind: 'type-widened',
      line,
      column: this.name,
      message: `Column "${this.name}" held ${was} until line ${line}, which holds ${shown(text)}; it is read as ${KIND_NAMES[target]}.${rewrite}`,
    });
  }

  private warnPrecision(line: number, text: string): void {
    if (this.precisionWarned) return;
    this.precisionWarned = true;
    this.log.add({
      kind: 'precision-lost',
      line,
      column: this.name,
      message: `Column "${this.name}", line ${line}: the whole number ${shown(text)} is too large to be held exactly (beyond 2^53); it and others like it are rounded to about 16 significant digits. Set the column's type to string to keep every digit.`,
    });
  }

  /** A value that did not fit the chosen type: one warning per column, rewritten at the end. */
  private noteFailure(line: number, text: string): void {
    const dropped = this.dropped!;
    dropped.note(line, shown(text));
    if (dropped.count === 1) this.droppedSlot = this.log.add(dropped.warning());
  }

  /**
   * The finished column, trimmed to its length.
   *
   * @example
   * const column = { name: reader.name, data: reader.finish() };
   */
  finish(): ColumnData {
    const length = this.rows;
    if (this.dropped !== null && this.dropped.count > 1) {
      this.log.replace(this.droppedSlot, this.dropped.warning());
    }
    if (this.kind === TEXT && this.dictionaryMode && this.fixed !== 'category') {
      const size = this.dictionary.size;
      if (size > CATEGORY_MIN_DISTINCT && size * 2 > length - this.nullCount(length)) {
        this.dictionaryToUtf8();
      }
    }
    const validity = this.finishValidity(length);
    switch (this.kind) {
      case EMPTY:
        return {
          kind: 'utf8',
          type: 'string',
          length,
          offsets: new Int32Array(length + 1),
          bytes: new Uint8Array(0),
          validity,
        };
      case INT32:
      case DATE:
        return {
          kind: 'number',
          type: this.kind === INT32 ? 'int' : 'date',
          length,
          values: fitted(this.ints, length),
          validity,
        };
      case INT53:
      case FLOAT:
      case DATETIME:
        return {
          kind: 'number',
          type: this.kind === INT53 ? 'int' : this.kind === FLOAT ? 'float' : 'datetime',
          length,
          values: fitted(this.floats, length),
          validity,
        };
      case BOOL:
        return {
          kind: 'bool',
          type: 'bool',
          length,
          bits: fitted(this.bits, (length + 7) >> 3),
          validity,
        };
      case TEXT:
        if (this.dictionaryMode) {
          return {
            kind: 'dict',
            type: 'category',
            length,
            codes: fitted(this.codes, length),
            dictionary: this.dictionary.strings(),
            validity,
          };
        }
        return {
          kind: 'utf8',
          type: 'string',
          length,
          offsets: fitted(this.offsets, length + 1),
          bytes: fitted(this.bytes, this.offsets[length]!),
          validity,
        };
    }
  }

  private nullCount(length: number): number {
    const validity = this.validity;
    if (validity === null) return 0;
    let nulls = 0;
    for (let row = 0; row < length; row++) {
      if ((validity[row >> 3]! & (1 << (row & 7))) === 0) nulls++;
    }
    return nulls;
  }

  private finishValidity(length: number): Uint8Array | null {
    if (this.validity === null) return null;
    const byteLength = (length + 7) >> 3;
    const out = this.validity.slice(0, byteLength);
    if (length & 7) out[byteLength - 1]! &= (1 << (length & 7)) - 1;
    return out;
  }
}

/**
 * The first `length` elements: the array itself, or a view of it when little room is left over
 * (sized from the file's length, it mostly fits), else a copy, so that a column never holds
 * much more memory than its values.
 */
function fitted<T extends Int32Array | Float64Array | Uint8Array>(array: T, length: number): T {
  if (array.length - length <= array.length >> 3) return array.subarray(0, length) as T;
  return array.slice(0, length) as T;
}

function grownInt32(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(length);
  grown.set(array.subarray(0, Math.min(array.length, length)));
  return grown;
}

function grownBytes(array: Uint8Array, length: number, fill: number): Uint8Array<ArrayBuffer> {
  const grown = new Uint8Array(length);
  if (fill !== 0) grown.fill(fill, array.length);
  grown.set(array.subarray(0, Math.min(array.length, length)));
  return grown;
}

/** The field's text for a message (unescaped, invalid UTF-8 replaced), at most 200 bytes read. */
function fieldText(buf: Uint8Array, start: number, end: number): string {
  if (start < 0) return '';
  const realEnd = end < 0 ? ~end : end;
  const text = decodeText(buf, start, Math.min(realEnd, start + 200));
  return end < 0 ? text.replaceAll('""', '"') : text;
}
