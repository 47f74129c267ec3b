/**
 * Checks the metadata of Arrow IPC bytes before apache-arrow decodes it. apache-arrow reads its
 * flatbuffers without bounds checks: one damaged vector length makes it decode millions of
 * phantom fields or buffers (seconds of work, then out of memory, which ends the worker instead
 * of throwing), and an offset that points back at its own table makes it recurse without end.
 * So every table, vector and string apache-arrow reaches is checked to lie within its message,
 * nested fields are bounded in depth and the decoding work in total, and in the file format the
 * trailing magic, the footer and every block it lists are checked the same way.
 *
 * The work is O(metadata), never O(rows): the body bytes are not read here.
 */
import { EngineError } from '../engine-error.ts';

/** `ARROW1`, at the start (then two bytes of padding) and at the end of the file format. */
const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31] as const;
/** Deeper nesting than this is not data anyone writes, and would overflow the stack. */
const MAX_FIELD_DEPTH = 64;
/** A Field table's `type_type` values whose tables hold more than scalars. */
const TYPE_TIMESTAMP = 10;
const TYPE_UNION = 14;
const HEADER_SCHEMA = 1;
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;

function damaged(detail: string): EngineError {
  return new EngineError({
    code: 'parse_error',
    message: `This Arrow data could not be read; it is damaged or not Arrow IPC (${detail}).`,
  });
}

/**
 * One flatbuffer, read the way apache-arrow's generated code reads it (signed 32-bit offsets,
 * signed 16-bit vtable entries), with every position checked against its bounds and every
 * table, vector element and string byte counted against a budget a well-formed buffer of this
 * size cannot exceed.
 */
class CheckedFlatBuffer {
  private readonly view: DataView;
  private work = 0;
  private readonly budget: number;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = 4 * bytes.length + 64;
  }

  private spend(units: number): void {
    this.work += units;
    if (this.work > this.budget) throw damaged('its metadata refers to itself');
  }

  private within(at: number, size: number): void {
    if (!(at >= 0 && at + size <= this.bytes.length)) throw damaged('its metadata is cut short');
  }

  int32(at: number): number {
    this.within(at, 4);
    return this.view.getInt32(at, true);
  }

  uint8(at: number): number {
    this.within(at, 1);
    return this.view.getUint8(at);
  }

  /** The table an offset at `at` points to. */
  ref(at: number): number {
    return this.table(at + this.int32(at));
  }

  /** Checks the table at `at` and its vtable; returns `at`. */
  table(at: number): number {
    this.spend(1);
    const vtable = at - this.int32(at);
    this.within(vtable, 4);
    const vtableSize = this.view.getInt16(vtable, true);
    const tableSize = this.view.getInt16(vtable + 2, true);
    if (vtableSize < 4 || tableSize < 4) throw damaged('its metadata has a broken table');
    this.within(vtable, vtableSize);
    this.within(at, tableSize);
    return at;
  }

  /** The position of field `index` of the table at `at`, or null when the field is absent. */
  field(at: number, index: number): number | null {
    const vtable = at - this.view.getInt32(at, true);
    const entry = 4 + 2 * index;
    if (entry >= this.view.getInt16(vtable, true)) return null;
    const offset = this.view.getInt16(vtable + entry, true);
    if (offset === 0) return null;
    if (offset < 0 || offset >= this.view.getInt16(vtable + 2, true)) {
      throw damaged('its metadata has a broken table');
    }
    return at + offset;
  }

  /** The start and length of the vector an offset at `at` points to. */
  vector(at: number, elementSize: number): { start: number; length: number } {
    const header = at + this.int32(at);
    const length = this.int32(header);
    if (length < 0) throw damaged('its metadata has a broken vector');
    this.within(header + 4, length * elementSize);
    this.spend(length);
    return { start: header + 4, length };
  }

  /** The tables of a vector of offsets to tables. */
  tables(at: number): number[] {
    const { start, length } = this.vector(at, 4);
    return Array.from({ length }, (_, index) => this.ref(start + 4 * index));
  }

  string(at: number): void {
    this.vector(at, 1);
  }
}

/** Field `index` of a table, passed to `read` when present. */
function optional(
  buffer: CheckedFlatBuffer,
  table: number,
  index: number,
  read: (at: number) => void,
): void {
  const at = buffer.field(table, index);
  if (at !== null) read(at);
}

function checkKeyValues(buffer: CheckedFlatBuffer, at: number): void {
  for (const pair of buffer.tables(at)) {
    optional(buffer, pair, 0, (key) => buffer.string(key));
    optional(buffer, pair, 1, (value) => buffer.string(value));
  }
}

function checkField(buffer: CheckedFlatBuffer, field: number, depth: number): void {
  if (depth > MAX_FIELD_DEPTH) throw damaged('its schema nests too deep');
  optional(buffer, field, 0, (name) => buffer.string(name));
  const typeAt = buffer.field(field, 2);
  const typeType = typeAt === null ? 0 : buffer.uint8(typeAt);
  optional(buffer, field, 3, (at) => {
    const type = buffer.ref(at);
    if (typeType === TYPE_UNION) optional(buffer, type, 1, (ids) => buffer.vector(ids, 4));
    if (typeType === TYPE_TIMESTAMP) optional(buffer, type, 1, (zone) => buffer.string(zone));
  });
  optional(buffer, field, 4, (at) => {
    const encoding = buffer.ref(at);
    optional(buffer, encoding, 1, (indexType) => buffer.ref(indexType));
  });
  optional(buffer, field, 5, (at) => {
    for (const child of buffer.tables(at)) checkField(buffer, child, depth + 1);
  });
  optional(buffer, field, 6, (at) => checkKeyValues(buffer, at));
}

function checkSchema(buffer: CheckedFlatBuffer, schema: number): void {
  optional(buffer, schema, 1, (at) => {
    for (const field of buffer.tables(at)) checkField(buffer, field, 0);
  });
  optional(buffer, schema, 2, (at) => checkKeyValues(buffer, at));
  optional(buffer, schema, 3, (at) => buffer.vector(at, 8));
}

/** The most rows a RecordBatch table claims: its `length` or that of any of its nodes. */
function mostRowsOf(buffer: CheckedFlatBuffer, batch: number): number {
  const at = buffer.field(batch, 0);
  let most = at === null ? 0 : int64At(buffer, at);
  optional(buffer, batch, 1, (nodesAt) => {
    const nodes = buffer.vector(nodesAt, 16);
    for (let node = 0; node < nodes.length; node++) {
      most = Math.max(most, int64At(buffer, nodes.start + 16 * node));
    }
  });
  return most;
}

function checkRecordBatch(buffer: CheckedFlatBuffer, batch: number): void {
  optional(buffer, batch, 1, (at) => buffer.vector(at, 16));
  optional(buffer, batch, 2, (at) => buffer.vector(at, 16));
  optional(buffer, batch, 3, (at) => buffer.ref(at));
  optional(buffer, batch, 4, (at) => buffer.vector(at, 8));
}

/** A little-endian signed 64-bit integer as a number (exact up to 2^53, which lengths are). */
function int64At(buffer: CheckedFlatBuffer, at: number): number {
  return buffer.int32(at + 4) * 4_294_967_296 + (buffer.int32(at) >>> 0);
}

/**
 * Checks one Message flatbuffer; returns its header type and the length of the body that
 * follows it (apache-arrow reads a body after record and dictionary batches only).
 */
function checkMessage(metadata: Uint8Array): { headerType: number; bodyLength: number } {
  const buffer = new CheckedFlatBuffer(metadata);
  const message = buffer.ref(0);
  const typeAt = buffer.field(message, 1);
  const headerType = typeAt === null ? 0 : buffer.uint8(typeAt);
  const headerAt = buffer.field(message, 2);
  if (headerAt === null) throw damaged('a message has no header');
  const header = buffer.ref(headerAt);
  optional(buffer, message, 4, (at) => checkKeyValues(buffer, at));
  if (headerType === HEADER_SCHEMA) {
    checkSchema(buffer, header);
    return { headerType, bodyLength: 0 };
  }
  const bodyAt = buffer.field(message, 3);
  const bodyLength = bodyAt === null ? 0 : int64At(buffer, bodyAt);
  if (bodyLength < 0) throw damaged('a message body has a negative length');
  if (headerType === HEADER_RECORD_BATCH) {
    checkRecordBatch(buffer, header);
  } else if (headerType === HEADER_DICTIONARY_BATCH) {
    const dataAt = buffer.field(header, 1);
    if (dataAt === null) throw damaged('a dictionary batch holds no data');
    const data = buffer.ref(dataAt);
    checkRecordBatch(buffer, data);
    // apache-arrow allocates an array of the claimed entries; every entry takes a bit at least.
    if (mostRowsOf(buffer, data) > bodyLength * 8) {
      throw damaged('a dictionary claims more entries than its data holds');
    }
  } else {
    throw damaged('a message is neither a schema nor a record batch');
  }
  return { headerType, bodyLength };
}

/**
 * Checks the message framed at `at` (continuation marker, or none before Arrow 0.15, then the
 * metadata length); returns its header type and where the next message starts, or null at the
 * end-of-stream marker or the end of the bytes.
 */
function checkFramedMessage(
  bytes: Uint8Array,
  view: DataView,
  at: number,
): { headerType: number; next: number } | null {
  if (at + 4 > bytes.length) return null;
  let length = view.getInt32(at, true);
  let start = at + 4;
  if (length === -1) {
    if (start + 4 > bytes.length) return null;
    length = view.getInt32(start, true);
    start += 4;
  }
  if (length === 0) return null;
  if (length < 0 || start + length > bytes.length) throw damaged('a message is cut short');
  const { headerType, bodyLength } = checkMessage(bytes.subarray(start, start + length));
  const next = start + length + bodyLength;
  if (next > bytes.length) throw damaged('a message body is cut short');
  return { headerType, next };
}

function isFileFormat(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((byte, at) => bytes[at] === byte);
}

function checkFile(bytes: Uint8Array, view: DataView): void {
  const end = bytes.length - MAGIC.length;
  if (end < 8 + 4 || !MAGIC.every((byte, at) => bytes[end + at] === byte)) {
    throw damaged('the file is cut short: it does not end as an Arrow file ends');
  }
  const footerLength = view.getInt32(end - 4, true);
  const footerStart = end - 4 - footerLength;
  if (footerLength <= 0 || footerStart < 8) throw damaged('the file footer is cut short');
  const buffer = new CheckedFlatBuffer(bytes.subarray(footerStart, end - 4));
  const footer = buffer.ref(0);
  optional(buffer, footer, 1, (at) => checkSchema(buffer, buffer.ref(at)));
  optional(buffer, footer, 4, (at) => checkKeyValues(buffer, at));
  // Blocks of a well-formed file are disjoint: a block listed twice, or blocks overlapping,
  // would make the reader decode the same bytes again and again.
  const blockStarts = new Set<number>();
  let blockBytes = 0;
  for (const index of [2, 3]) {
    const expected = index === 2 ? HEADER_DICTIONARY_BATCH : HEADER_RECORD_BATCH;
    optional(buffer, footer, index, (at) => {
      const { start, length } = buffer.vector(at, 24);
      for (let block = 0; block < length; block++) {
        const offset = int64At(buffer, start + 24 * block);
        if (offset < 8 || offset >= footerStart || blockStarts.has(offset)) {
          throw damaged('a file block lies outside the data');
        }
        blockStarts.add(offset);
        const message = checkFramedMessage(bytes, view, offset);
        if (message?.headerType !== expected) {
          throw damaged('a file block holds the wrong kind of message');
        }
        blockBytes += message.next - offset;
        if (blockBytes > footerStart) throw damaged('the file blocks overlap');
      }
    });
  }
}

/**
 * Throws a `parse_error` unless the metadata of these Arrow IPC bytes (stream or file format)
 * can be decoded within bounds; says nothing about the body buffers, which the reader checks.
 *
 * @example
 * checkIpcMetadata(bytes); // then hand the bytes to apache-arrow
 */
export function checkIpcMetadata(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isFileFormat(bytes)) {
    checkFile(bytes, view);
    return;
  }
  let message = checkFramedMessage(bytes, view, 0);
  if (message !== null && message.headerType !== HEADER_SCHEMA) {
    throw damaged('the stream does not start with its schema');
  }
  while (message !== null) {
    message = checkFramedMessage(bytes, view, message.next);
    // apache-arrow would switch to a second schema mid-stream; a stream has one.
    if (message?.headerType === HEADER_SCHEMA) throw damaged('the stream holds a second schema');
  }
}
