/**
 * Checks the page headers of every column chunk before hyparquet reads them. hyparquet trusts a
 * page header's sizes: a damaged header that lacks its compressed size (or holds a negative one)
 * moves hyparquet's read position to NaN or backwards (so does a data page header without its
 * counts), and it then reads the same bytes for ever, so a damaged file hung the worker instead of
 * failing. Here each header is parsed (Thrift's compact protocol, as Parquet writes it), must hold
 * every number hyparquet computes with, and the pages must lie one after the other inside the
 * chunk, up to its end. Only headers are read, never page data, so this costs next to nothing.
 */
import type { FileMetaData } from 'hyparquet';
import { EngineError } from '../../engine-error.ts';

const STOP = 0;
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** Nesting deeper than this is damage: a page header nests three levels at most. */
const MAX_DEPTH = 16;

class Damaged extends Error {}

/** A position in the file's bytes that must stay before `end`. */
class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
    readonly end: number,
  ) {}

  byte(): number {
    if (this.at >= this.end) throw new Damaged('a page header runs past its column chunk');
    return this.bytes[this.at++]!;
  }

  skip(count: number): void {
    if (count < 0 || this.at + count > this.end) {
      throw new Damaged('a page header runs past its column chunk');
    }
    this.at += count;
  }

  varint(): number {
    let value = 0;
    for (let scale = 1; ; scale *= 128) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      if (scale > 2 ** 56) throw new Damaged('a number in a page header is too long');
    }
  }

  zigzag(): number {
    const value = this.varint();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }
}

function skipValue(cursor: Cursor, type: number, depth: number): void {
  switch (type) {
    case TRUE:
    case FALSE:
      return;
    case BYTE:
      cursor.skip(1);
      return;
    case I16:
    case I32:
    case I64:
      cursor.varint();
      return;
    case DOUBLE:
      cursor.skip(8);
      return;
    case BINARY:
      cursor.skip(cursor.varint());
      return;
    case LIST:
    case SET: {
      const header = cursor.byte();
      const size = header >> 4 === 15 ? cursor.varint() : header >> 4;
      // Booleans in a list take a byte each; every element takes at least one byte.
      const element = header & 0x0f;
      for (let k = 0; k < size; k++) {
        if (element === TRUE || element === FALSE) cursor.skip(1);
        else skipValue(cursor, element, depth + 1);
      }
      return;
    }
    case MAP: {
      const size = cursor.varint();
      if (size === 0) return;
      const types = cursor.byte();
      for (let k = 0; k < size; k++) {
        skipValue(cursor, types >> 4, depth + 1);
        skipValue(cursor, types & 0x0f, depth + 1);
      }
      return;
    }
    case STRUCT:
      readStruct(cursor, depth + 1, null);
      return;
    default:
      throw new Damaged(`a page header holds an unknown Thrift type ${type}`);
  }
}

/** The 32-bit integer fields of a struct by field id, and its structs (read the same way). */
interface Fields {
  readonly ints: Map<number, number>;
  readonly structs: Map<number, Fields>;
}

/** Reads a struct; with `fields`, keeps its integers and those of the structs inside it. */
function readStruct(cursor: Cursor, depth: number, fields: Fields | null): void {
  if (depth > MAX_DEPTH) throw new Damaged('a page header nests too deep');
  let field = 0;
  for (;;) {
    const header = cursor.byte();
    const type = header & 0x0f;
    if (type === STOP) return;
    const delta = header >> 4;
    field = delta === 0 ? cursor.zigzag() : field + delta;
    if (fields !== null && type === I32) {
      fields.ints.set(field, cursor.zigzag());
    } else if (fields !== null && type === STRUCT && depth === 0) {
      const inner: Fields = { ints: new Map(), structs: new Map() };
      readStruct(cursor, depth + 1, inner);
      fields.structs.set(field, inner);
    } else {
      skipValue(cursor, type, depth);
    }
  }
}

/** Page types, and the PageHeader field of each one's own header. */
const DATA_PAGE = 0;
const DICTIONARY_PAGE = 2;
const DATA_PAGE_V2 = 3;
const OWN_HEADER = new Map([
  [DATA_PAGE, 5],
  [DICTIONARY_PAGE, 7],
  [DATA_PAGE_V2, 8],
]);
/** The integer fields of each own header that hyparquet computes with. */
const REQUIRED_INTS = new Map([
  [DATA_PAGE, [1, 2, 3, 4]],
  [DICTIONARY_PAGE, [1, 2]],
  [DATA_PAGE_V2, [1, 2, 3, 4, 5, 6]],
]);

/**
 * The page's compressed size, once its header holds every number hyparquet reads as one: a
 * missing one would become NaN there, and a NaN read position never reaches the end.
 */
function checkedPageSize(fields: Fields): number {
  const type = fields.ints.get(1);
  const uncompressed = fields.ints.get(2);
  const compressed = fields.ints.get(3);
  if (type === undefined || uncompressed === undefined || compressed === undefined) {
    throw new Damaged('a page header lacks its type or sizes');
  }
  if (uncompressed < 0 || compressed < 0) throw new Damaged('a page header holds a negative size');
  const own = OWN_HEADER.get(type);
  if (own === undefined) return compressed;
  const header = fields.structs.get(own);
  if (header === undefined) throw new Damaged('a page header lacks the header of its page type');
  for (const field of REQUIRED_INTS.get(type)!) {
    const value = header.ints.get(field);
    if (value === undefined || value < 0) throw new Damaged('a page header lacks a count');
  }
  if (type === DATA_PAGE_V2) {
    const levels = header.ints.get(5)! + header.ints.get(6)!;
    if (levels > compressed || header.ints.get(2)! > header.ints.get(1)!) {
      throw new Damaged('a page header holds counts that do not fit its page');
    }
  }
  return compressed;
}

/** Checks the pages of the chunk `bytes[start .. end)`. */
function checkChunk(bytes: Uint8Array, start: number, end: number): void {
  const cursor = new Cursor(bytes, start, end);
  while (cursor.at < end) {
    const fields: Fields = { ints: new Map(), structs: new Map() };
    readStruct(cursor, 0, fields);
    cursor.skip(checkedPageSize(fields));
  }
}

/**
 * Throws a `parse_error` when a column chunk's pages are not where its metadata says or their
 * headers are damaged.
 *
 * @example
 * checkPageHeaders(new Uint8Array(bytes), parquetMetadata(bytes));
 */
export function checkPageHeaders(bytes: Uint8Array, metadata: FileMetaData): void {
  for (const [group, rowGroup] of metadata.row_groups.entries()) {
    for (const chunk of rowGroup.columns) {
      const meta = chunk.meta_data;
      if (!meta) continue;
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      const column = meta.path_in_schema.join('.');
      try {
        if (!Number.isSafeInteger(start) || start < 0 || !(end >= start && end <= bytes.length)) {
          throw new Damaged('the column chunk lies outside the file');
        }
        checkChunk(bytes, start, end);
      } catch (error) {
        if (!(error instanceof Damaged)) throw error;
        throw new EngineError({
          code: 'parse_error',
          message: `This Parquet file is damaged: in row group ${group + 1}, column "${column}", ${error.message} (bytes ${start}–${end}).`,
          offset: start,
        });
      }
    }
  }
}
