/**
 * Builds a text column from JavaScript strings and decides on the way whether it is a category
 * (dictionary codes + distinct strings) or plain UTF-8. The readers that get strings from their
 * library (Parquet through hyparquet, JSON lines through `JSON.parse`) share it so that the same
 * values become the same column type whatever file they came in.
 *
 * The rule: a column stays a category while it has at most `CATEGORY_MIN_DISTINCT` distinct
 * values or at most half as many distinct values as values; once it passes both it turns into
 * UTF-8 for good (its codes so far are replayed), so a column of unique ids never holds a map of
 * millions of strings. At the end the same rule is applied once more to the whole column.
 */
import { ValidityBuilder, Utf8Builder } from '../columns/column-builder.ts';
import type { DictColumnData, Utf8ColumnData } from '../columns/column-data.ts';

/** Up to this many distinct values a column is a category, however short. */
export const CATEGORY_MIN_DISTINCT = 1024;
/** Past the minimum, a category has at most one distinct value per this many values. */
const VALUES_PER_DISTINCT = 2;

const INITIAL_CAPACITY = 1024;

/**
 * A text column that is a category while its values repeat and UTF-8 once they do not.
 *
 * @example
 * const builder = new TextColumnBuilder();
 * builder.append('control');
 * builder.appendNull();
 * builder.finish(); // { kind: 'dict', type: 'category', dictionary: ['control'], … }
 */
export class TextColumnBuilder {
  /** Codes while a category; -1 marks a null. */
  private codes: Int32Array | null = new Int32Array(INITIAL_CAPACITY);
  private codeOf: Map<string, number> | null = new Map();
  private dictionary: string[] = [];
  private utf8: Utf8Builder | null = null;
  private nonNull = 0;
  length = 0;

  /** Whether the column is still a category. */
  get isCategory(): boolean {
    return this.utf8 === null;
  }

  append(value: string): void {
    this.nonNull++;
    if (this.utf8 !== null) {
      this.utf8.append(value);
      this.length++;
      return;
    }
    let code = this.codeOf!.get(value);
    if (code === undefined) {
      code = this.dictionary.length;
      const distinct = code + 1;
      if (distinct > CATEGORY_MIN_DISTINCT && distinct * VALUES_PER_DISTINCT > this.nonNull) {
        this.switchToUtf8();
        this.utf8!.append(value);
        this.length++;
        return;
      }
      this.dictionary.push(value);
      this.codeOf!.set(value, code);
    }
    this.pushCode(code);
  }

  appendNull(): void {
    if (this.utf8 !== null) {
      this.utf8.appendNull();
      this.length++;
      return;
    }
    this.pushCode(-1);
  }

  finish(): DictColumnData | Utf8ColumnData {
    if (
      this.utf8 === null &&
      this.dictionary.length > CATEGORY_MIN_DISTINCT &&
      this.dictionary.length * VALUES_PER_DISTINCT > this.nonNull
    ) {
      this.switchToUtf8();
    }
    if (this.utf8 !== null) return this.utf8.finish();
    const length = this.length;
    const codes = this.codes!.slice(0, length);
    const validity = new ValidityBuilder();
    for (let row = 0; row < length; row++) {
      if (codes[row]! < 0) {
        codes[row] = 0;
        validity.setNull(row);
      }
    }
    return {
      kind: 'dict',
      type: 'category',
      length,
      codes,
      dictionary: this.dictionary,
      validity: validity.finish(length),
    };
  }

  private pushCode(code: number) {
    let codes = this.codes!;
    if (this.length === codes.length) {
      const grown = new Int32Array(codes.length * 2);
      grown.set(codes);
      this.codes = codes = grown;
    }
    codes[this.length++] = code;
  }

  private switchToUtf8() {
    const utf8 = new Utf8Builder();
    const codes = this.codes!;
    const dictionary = this.dictionary;
    for (let row = 0; row < this.length; row++) {
      const code = codes[row]!;
      if (code < 0) utf8.appendNull();
      else utf8.append(dictionary[code]!);
    }
    this.utf8 = utf8;
    this.codes = null;
    this.codeOf = null;
    this.dictionary = [];
  }
}
