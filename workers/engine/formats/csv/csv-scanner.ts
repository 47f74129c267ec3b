/**
 * The CSV tokenizer: one byte loop with a small state machine that finds where each field of each
 * record starts and ends, and nothing more. It writes those positions into typed arrays (a
 * "batch" of complete records, `columnCount` fields each) that the column readers then parse
 * column by column; values are never decoded here.
 *
 * Why two steps instead of parsing while scanning: a record is handed on only once it is known to
 * be complete, so a record cut by a chunk boundary never half-fills the columns, and each column
 * is then read by one tight loop specialised to its type.
 *
 * Most records of most files are plain (no quotes, as many fields as the header, on one line);
 * `scanPlainRecords` reads runs of those with a loop that knows nothing else, and the state
 * machine takes each record it stops at.
 *
 * The state is kept between calls, so a chunk boundary anywhere (inside a quoted field, between
 * CR and LF, inside a UTF-8 character) costs nothing but keeping the current batch's bytes;
 * bytes are never scanned twice. A batch ends after a fixed number of records or bytes, never at
 * a chunk boundary, so how the file was cut into chunks cannot change what is read from it.
 *
 * Also here: the UTF-8 BOM, refusing UTF-16 and binary files, delimiter detection from the header
 * line, blank lines, line counting (CRLF, LF and a lone CR each end a line, inside quotes too),
 * spaces or tabs after a closing quote (skipped) and the malformed-quote errors with their line
 * and column. A quote inside an unquoted field is kept as a character, as most writers mean it.
 */
import { EngineError } from '../../engine-error.ts';
import type { WarningLog } from './warning-log.ts';

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
/** What ended a field besides a delimiter or line break. */
const END_OF_FILE = -1;

/** Candidate delimiters for detection, in tie-break order (the comma wins ties). */
const CANDIDATE_DELIMITERS = [44, 9, 59, 124] as const;

/** Field positions per batch: about a megabyte of positions. */
const BATCH_FIELDS = 131_072;
const MIN_BATCH_RECORDS = 64;
/** A batch also ends once its records span this many bytes, which the buffer must hold. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** The smallest buffer: chunks of about a megabyte then move to its front only now and then. */
const MIN_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * The longest record the scanner holds: past it a quote was most likely never closed (or the
 * file is not CSV), and reading on would only hold ever more of the file in memory.
 */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Why `scan` returned. */
export const NEED_INPUT = 0;
export const BATCH_FULL = 1;
export const HEADER_DONE = 2;
export const FINISHED = 3;
export type ScanStop = typeof NEED_INPUT | typeof BATCH_FULL | typeof HEADER_DONE | typeof FINISHED;

const RECORD_START = 0;
const FIELD_START = 1;
const UNQUOTED = 2;
const QUOTED = 3;
/** A record ended with a CR at the end of the bytes so far: an LF may follow in the next chunk. */
const AFTER_CR = 4;
const DONE = 5;
/** A quoted field was closed; spaces or tabs may come before its delimiter or line end. */
const AFTER_QUOTE = 6;

/**
 * Whether the field starting at `start` was quoted (its opening quote sits just before it; an
 * unquoted field follows a delimiter, a line break or the start of the buffer).
 *
 * @example
 * if (!isQuotedField(scanner.buf, start) && isNullToken(scanner.buf, start, end)) row = null;
 */
export function isQuotedField(buf: Uint8Array, start: number): boolean {
  return start > 0 && buf[start - 1] === QUOTE;
}

/**
 * The scanner. Feed it chunks with `append`, call `scan` until it needs input, and read each
 * batch of field positions before the next `append`.
 *
 * @example
 * const scanner = new CsvScanner(log, ',');
 * scanner.append(chunk);
 * while (scanner.scan() !== NEED_INPUT) consume(scanner);
 */
export class CsvScanner {
  /** The bytes being scanned; positions in `starts`/`ends` index into it. */
  buf: Uint8Array = new Uint8Array(0);
  /** How many bytes of `buf` hold data. */
  private length = 0;
  /** Bytes of the file dropped from the front of `buf` so far. */
  private dropped = 0;
  private inputEnded = false;

  /** The field separator's byte, or -1 until detected. */
  private delimiter = -1;

  /** Fields per record; 0 while the header is being read. */
  columnCount = 0;
  /** Fields of the header once it is read (they sit at `starts[0 ..]`, `ends[0 ..]`). */
  headerFieldCount = 0;
  /** The 1-based line the header is on (blank lines may come before it). */
  headerLine = 1;

  /**
   * Field `c` of record `r` of the batch: `buf[starts[i] .. ends[i])` with `i = r * columnCount
   * + c`, quotes already excluded. A quoted field holding `""` escapes has `ends[i] = ~end`
   * (negative) and must be unescaped before use; a field the record lacks has -1 in both.
   */
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** The 1-based line each record of the batch starts on. */
  lines = new Int32Array(1);
  /** Complete records in the batch. */
  count = 0;
  private recordCapacity = 1;
  /** Where the batch's bytes begin in `buf`: bytes before it may be dropped. */
  private batchStart = 0;

  private state = RECORD_START;
  private pos = 0;
  private field = 0;
  private fieldStart = 0;
  private fieldEnd = 0;
  private escaped = false;
  private recordStart = 0;
  private recordLine = 1;
  private line = 1;
  private lineStart = 0;
  private quoteOpenPos = 0;
  private quoteOpenLine = 1;
  private quoteOpenLineStart = 0;

  private encodingChecked = false;
  private detectPos = 0;
  private detectInQuotes = false;
  private detectSeenContent = false;
  private readonly detectCounts = [0, 0, 0, 0];

  constructor(
    private readonly log: WarningLog,
    delimiter?: string,
  ) {
    if (delimiter !== undefined) this.delimiter = delimiter.charCodeAt(0);
  }

  /** The detected or given delimiter, once known. */
  get delimiterChar(): string | null {
    return this.delimiter < 0 ? null : String.fromCharCode(this.delimiter);
  }

  /**
   * Bytes of the file up to the end of the last complete record.
   *
   * @example
   * const bytesPerRecord = scanner.bytesConsumed / records;
   */
  get bytesConsumed(): number {
    return this.dropped + this.recordStart;
  }

  /** Whether the file ended (after `scan` answered HEADER_DONE: right after the header). */
  get finished(): boolean {
    return this.state === DONE;
  }

  /**
   * Adds the next chunk of the file (after `scan` said it needs input). Bytes go after the ones
   * before while the buffer has room; when it has none, the current batch and the unfinished
   * record move to the front (positions follow them) and the buffer grows to twice what it then
   * holds, so bytes are moved about once per buffer-full, not once per chunk.
   *
   * @example
   * scanner.append(chunk);
   */
  append(chunk: Uint8Array): void {
    if (this.length - this.recordStart > MAX_RECORD_BYTES) throw this.recordTooLong();
    // One byte more than the data, for the line feed that ends `scanPlainRecords`' inner loop.
    if (this.length + chunk.length >= this.buf.length) {
      const shift = this.batchStart;
      const kept = this.length - shift;
      const needed = kept + chunk.length;
      if (needed * 2 > this.buf.length) {
        const grown = new Uint8Array(Math.max(needed * 2, MIN_BUFFER_BYTES));
        grown.set(this.buf.subarray(shift, this.length));
        this.buf = grown;
      } else if (kept > 0) {
        this.buf.copyWithin(0, shift, this.length);
      }
      this.length = kept;
      if (shift > 0) this.rebase(shift);
    }
    this.buf.set(chunk, this.length);
    this.length += chunk.length;
    this.buf[this.length] = LF;
  }

  /**
   * Says that no more chunks come; the next `scan` finishes the last record.
   *
   * @example
   * scanner.endInput();
   */
  endInput(): void {
    this.inputEnded = true;
  }

  private rebase(shift: number): void {
    this.dropped += shift;
    this.pos -= shift;
    this.fieldStart -= shift;
    this.fieldEnd -= shift;
    this.recordStart -= shift;
    this.lineStart -= shift;
    this.quoteOpenPos -= shift;
    this.quoteOpenLineStart -= shift;
    this.batchStart -= shift;
    this.detectPos = Math.max(0, this.detectPos - shift);
    // The batch's records, then the unfinished record's finished fields.
    const base = this.count * this.columnCount;
    const stored = this.columnCount === 0 ? this.field : Math.min(this.field, this.columnCount);
    for (let i = 0; i < base + stored; i++) {
      if (this.starts[i]! < 0) continue;
      this.starts[i]! -= shift;
      const end = this.ends[i]!;
      this.ends[i] = end < 0 ? ~(~end - shift) : end - shift;
    }
  }

  /**
   * Scans as far as the bytes allow and says why it stopped: it needs more input, the batch is
   * full, the header was just read, or the file is done.
   *
   * @example
   * while (scanner.scan() !== NEED_INPUT) consume(scanner);
   */
  scan(): ScanStop {
    if (this.state === DONE) return FINISHED;
    if (!this.encodingChecked && !this.checkEncoding()) return NEED_INPUT;
    if (this.delimiter < 0 && !this.detectDelimiter()) return NEED_INPUT;
    return this.scanRecords();
  }

  /** Drops a UTF-8 BOM and refuses UTF-16; false until enough bytes are in. */
  private checkEncoding(): boolean {
    const buf = this.buf;
    const available = this.length - this.pos;
    if (available < 3 && !this.inputEnded) return false;
    const at = this.pos;
    if (available >= 2) {
      const first = buf[at]!;
      const second = buf[at + 1]!;
      if ((first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff)) {
        throw new EngineError({
          code: 'parse_error',
          message:
            'This file is in UTF-16, which is not read here. Save it as UTF-8 (in Excel: "CSV UTF-8") and open it again.',
          offset: 0,
        });
      }
    }
    if (available >= 3 && buf[at] === 0xef && buf[at + 1] === 0xbb && buf[at + 2] === 0xbf) {
      this.pos = this.recordStart = this.lineStart = this.detectPos = this.batchStart = at + 3;
    }
    this.encodingChecked = true;
    return true;
  }

  /** Counts the candidates outside quotes on the header line; false until the line is in. */
  private detectDelimiter(): boolean {
    const buf = this.buf;
    const end = this.length;
    const counts = this.detectCounts;
    let inQuotes = this.detectInQuotes;
    let seenContent = this.detectSeenContent;
    let at = this.detectPos;
    let lineDone = false;
    for (; at < end; at++) {
      const byte = buf[at]!;
      if (byte === QUOTE) {
        inQuotes = !inQuotes;
        seenContent = true;
      } else if (inQuotes) {
        continue;
      } else if (byte === LF || byte === CR) {
        // Blank lines before the header say nothing; the header is the first line with bytes.
        if (seenContent) {
          lineDone = true;
          break;
        }
      } else {
        seenContent = true;
        for (let k = 0; k < 4; k++) if (byte === CANDIDATE_DELIMITERS[k]) counts[k]!++;
      }
    }
    this.detectPos = at;
    this.detectInQuotes = inQuotes;
    this.detectSeenContent = seenContent;
    if (!lineDone && !this.inputEnded) return false;
    let best = 0;
    for (let k = 1; k < 4; k++) if (counts[k]! > counts[best]!) best = k;
    this.delimiter = CANDIDATE_DELIMITERS[best]!;
    return true;
  }

  /**
   * Sizes the batch for `count` fields per record, once the header is known. The header's field
   * positions are gone afterwards, so read them first.
   *
   * @example
   * scanner.setColumnCount(header.length);
   */
  setColumnCount(count: number): void {
    this.columnCount = count;
    this.recordCapacity = Math.max(MIN_BATCH_RECORDS, Math.floor(BATCH_FIELDS / count));
    this.starts = new Int32Array(this.recordCapacity * count);
    this.ends = new Int32Array(this.recordCapacity * count);
    this.lines = new Int32Array(this.recordCapacity);
    this.count = 0;
    this.batchStart = this.recordStart;
  }

  /**
   * Empties the batch after its records were read (when `scan` said BATCH_FULL or FINISHED); the
   * unfinished record's fields move to the front.
   *
   * @example
   * scanner.takeBatch();
   */
  takeBatch(): void {
    const base = this.count * this.columnCount;
    if (base > 0 && this.field > 0) {
      const stored = Math.min(this.field, this.columnCount);
      this.starts.copyWithin(0, base, base + stored);
      this.ends.copyWithin(0, base, base + stored);
    }
    this.count = 0;
    this.batchStart = this.recordStart;
  }

  /**
   * The common case, fast: complete records whose fields are all unquoted, with as many fields
   * as the header, each on one line. Stops (consuming nothing of it) at the first record that is
   * not such a record, or that the bytes so far do not hold whole; `scanRecords` reads that one.
   * The line feed `append` keeps after the data ends the inner loop without a bounds test.
   */
  private scanPlainRecords(): void {
    const buf = this.buf;
    const limit = this.length;
    const delimiter = this.delimiter;
    const columnCount = this.columnCount;
    const recordCapacity = this.recordCapacity;
    const batchEnd = this.batchStart + MAX_BATCH_BYTES;
    const starts = this.starts;
    const ends = this.ends;
    const lines = this.lines;
    let count = this.count;
    let line = this.line;
    let pos = this.pos;
    records: while (count < recordCapacity && pos < batchEnd) {
      let byte = buf[pos]!;
      if (byte === LF || byte === CR) break;
      let at = pos;
      let i = count * columnCount;
      const last = i + columnCount - 1;
      for (;;) {
        if (byte === QUOTE) break records;
        starts[i] = at;
        while (byte !== delimiter && byte !== LF && byte !== CR) byte = buf[++at]!;
        ends[i] = at;
        if (byte !== delimiter || i === last) break;
        i++;
        byte = buf[++at]!;
      }
      // Not plain: more fields than the header, fewer, or the data ended (at the line feed kept
      // after it) before the record did.
      if (byte === delimiter || i !== last || at >= limit) break;
      at++;
      if (byte === CR) {
        // Whether an LF follows is known only once the next byte is in.
        if (at >= limit) break;
        if (buf[at] === LF) at++;
      }
      lines[count++] = line++;
      pos = at;
    }
    this.count = count;
    this.line = line;
    this.recordLine = line;
    this.pos = this.lineStart = this.recordStart = pos;
  }

  private scanRecords(): ScanStop {
    const buf = this.buf;
    const limit = this.length;
    const final = this.inputEnded;
    const delimiter = this.delimiter;
    const columnCount = this.columnCount;
    const recordCapacity = this.recordCapacity;
    const lines = this.lines;
    let starts = this.starts;
    let ends = this.ends;
    let count = this.count;
    let base = count * columnCount;
    let state = this.state;
    let pos = this.pos;
    let field = this.field;
    let fieldStart = this.fieldStart;
    let fieldEnd = this.fieldEnd;
    let escaped = this.escaped;
    let recordStart = this.recordStart;
    let recordLine = this.recordLine;
    let line = this.line;
    let lineStart = this.lineStart;
    let stop: ScanStop = NEED_INPUT;
    // The byte that ended the field (delimiter, LF or CR), or END_OF_FILE.
    let terminator = END_OF_FILE;

    scanning: for (;;) {
      if (state === AFTER_CR) {
        if (pos >= limit) {
          if (!final) break;
        } else if (buf[pos] === LF) {
          pos++;
          lineStart = recordStart = pos;
        }
        state = RECORD_START;
      }
      if (state === RECORD_START) {
        if (columnCount > 0 && pos < limit) {
          this.count = count;
          this.line = line;
          this.pos = pos;
          this.scanPlainRecords();
          count = this.count;
          base = count * columnCount;
          line = recordLine = this.line;
          pos = lineStart = recordStart = this.pos;
          if (count >= recordCapacity || recordStart - this.batchStart >= MAX_BATCH_BYTES) {
            stop = BATCH_FULL;
            break;
          }
        }
        if (pos >= limit) {
          if (final) {
            state = DONE;
            stop = FINISHED;
          }
          break;
        }
        const byte = buf[pos]!;
        if (byte === LF || byte === CR) {
          // A blank line: not a record.
          pos++;
          line++;
          if (byte === CR) {
            if (pos < limit) {
              if (buf[pos] === LF) pos++;
            } else if (!final) {
              state = AFTER_CR;
            }
          }
          lineStart = recordStart = pos;
          recordLine = line;
          continue;
        }
        state = FIELD_START;
      }
      if (state === FIELD_START) {
        escaped = false;
        if (pos >= limit) {
          if (!final) break;
          // A delimiter at the very end of the file: one more, empty field.
          fieldStart = fieldEnd = pos;
          terminator = END_OF_FILE;
        } else if (buf[pos] === QUOTE) {
          this.quoteOpenPos = pos;
          this.quoteOpenLine = line;
          this.quoteOpenLineStart = lineStart;
          pos++;
          fieldStart = pos;
          state = QUOTED;
        } else {
          fieldStart = pos;
          state = UNQUOTED;
        }
      }
      if (state === UNQUOTED) {
        let byte = 0;
        while (pos < limit) {
          byte = buf[pos]!;
          if (byte === delimiter || byte === LF || byte === CR) break;
          pos++;
        }
        if (pos >= limit) {
          if (!final) break;
          fieldEnd = pos;
          terminator = END_OF_FILE;
        } else {
          fieldEnd = pos;
          terminator = byte;
          pos++;
        }
      } else if (state !== FIELD_START) {
        if (state === QUOTED) {
          let closed = false;
          while (pos < limit) {
            const byte = buf[pos]!;
            if (byte === QUOTE) {
              if (pos + 1 >= limit) {
                if (!final) break scanning;
                closed = true;
                break;
              }
              if (buf[pos + 1] === QUOTE) {
                escaped = true;
                pos += 2;
                continue;
              }
              closed = true;
              break;
            }
            if (byte === LF) {
              line++;
              lineStart = pos + 1;
            } else if (byte === CR) {
              if (pos + 1 >= limit) {
                if (!final) break scanning;
                line++;
                lineStart = pos + 1;
              } else if (buf[pos + 1] !== LF) {
                line++;
                lineStart = pos + 1;
              }
            }
            pos++;
          }
          if (!closed) {
            if (!final) break;
            throw this.unclosedQuote();
          }
          fieldEnd = pos;
          pos++;
          state = AFTER_QUOTE;
        }
        // Spaces or tabs after the closing quote belong to no field (unless they delimit).
        let byte = 0;
        while (pos < limit) {
          byte = buf[pos]!;
          if ((byte !== SPACE && byte !== TAB) || byte === delimiter) break;
          pos++;
        }
        if (pos >= limit) {
          if (!final) break;
          terminator = END_OF_FILE;
        } else {
          if (byte !== delimiter && byte !== LF && byte !== CR) {
            // The message shows the character: wait until all of its bytes are in.
            if (!final && pos + utf8Length(byte) > limit) break;
            throw textAfterQuote(buf, pos, line, lineStart, limit);
          }
          terminator = byte;
          pos++;
        }
      }

      // A field ended: store it, then end the record if it ends here.
      if (field < columnCount) {
        starts[base + field] = fieldStart;
        ends[base + field] = escaped ? ~fieldEnd : fieldEnd;
      } else if (columnCount === 0) {
        this.storeHeaderField(field, fieldStart, escaped ? ~fieldEnd : fieldEnd);
        starts = this.starts;
        ends = this.ends;
      }
      field++;
      if (terminator === delimiter) {
        state = FIELD_START;
        continue;
      }
      const thisRecordLine = recordLine;
      if (terminator === END_OF_FILE) {
        state = DONE;
      } else {
        line++;
        state = RECORD_START;
        if (terminator === CR) {
          if (pos < limit) {
            if (buf[pos] === LF) pos++;
          } else if (!final) {
            state = AFTER_CR;
          }
        }
        lineStart = recordStart = pos;
        recordLine = line;
      }
      if (columnCount === 0) {
        this.headerFieldCount = field;
        this.headerLine = thisRecordLine;
        field = 0;
        stop = HEADER_DONE;
        break;
      }
      if (field !== columnCount) this.ragged(base, field, thisRecordLine);
      lines[count++] = thisRecordLine;
      base += columnCount;
      field = 0;
      if (state === DONE) {
        stop = FINISHED;
        break;
      }
      if (count >= recordCapacity || recordStart - this.batchStart >= MAX_BATCH_BYTES) {
        stop = BATCH_FULL;
        break;
      }
    }

    this.count = count;
    this.state = state;
    this.pos = pos;
    this.field = field;
    this.fieldStart = fieldStart;
    this.fieldEnd = fieldEnd;
    this.escaped = escaped;
    this.recordStart = recordStart;
    this.recordLine = recordLine;
    this.line = line;
    this.lineStart = lineStart;
    return stop;
  }

  private storeHeaderField(field: number, start: number, end: number): void {
    if (field >= this.starts.length) {
      const starts = new Int32Array(this.starts.length * 2);
      const ends = new Int32Array(this.ends.length * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[field] = start;
    this.ends[field] = end;
  }

  /** A record with too few or too many fields: pad with missing fields, and warn. */
  private ragged(base: number, fields: number, line: number): void {
    const columnCount = this.columnCount;
    for (let c = fields; c < columnCount; c++) {
      this.starts[base + c] = -1;
      this.ends[base + c] = -1;
    }
    if (!this.log.wantsMore) {
      this.log.countOnly();
      return;
    }
    const what =
      fields > columnCount
        ? `the last ${plural(fields - columnCount, 'field')} ${fields - columnCount === 1 ? 'was' : 'were'} left out`
        : `the missing ${columnCount - fields === 1 ? 'value is' : 'values are'} empty`;
    this.log.add({
      kind: 'ragged-row',
      line,
      message: `Line ${line} has ${plural(fields, 'field')} but the header has ${columnCount}; ${what}.`,
    });
  }

  private unclosedQuote(): EngineError {
    const line = this.quoteOpenLine;
    const column = characterColumn(this.buf, this.quoteOpenLineStart, this.quoteOpenPos);
    return new EngineError({
      code: 'parse_error',
      message: `Line ${line}, column ${column}: a quoted field opens here but is never closed; the file ends inside it. Add the missing closing quote (").`,
      line,
      column,
    });
  }

  private recordTooLong(): EngineError {
    const inQuotes = this.state === QUOTED;
    const line = inQuotes ? this.quoteOpenLine : this.recordLine;
    const column = inQuotes
      ? characterColumn(this.buf, this.quoteOpenLineStart, this.quoteOpenPos)
      : 1;
    const size = `${MAX_RECORD_BYTES / 1024 / 1024} MiB`;
    return new EngineError({
      code: 'parse_error',
      message: inQuotes
        ? `Line ${line}, column ${column}: a quoted field opens here and runs on for more than ${size} without a closing quote; most likely the closing quote (") is missing.`
        : `Line ${line}: one row runs on for more than ${size} without a line break; this does not look like a CSV file.`,
      line,
      column,
    });
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The 1-based character (not byte) column of `pos` on the line starting at `lineStart`. */
function characterColumn(buf: Uint8Array, lineStart: number, pos: number): number {
  let column = 1;
  for (let at = lineStart; at < pos; at++) if ((buf[at]! & 0xc0) !== 0x80) column++;
  return column;
}

/** How many bytes the UTF-8 sequence that `lead` starts takes (1 for a stray byte). */
function utf8Length(lead: number): number {
  return lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

const messageDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

function textAfterQuote(
  buf: Uint8Array,
  pos: number,
  line: number,
  lineStart: number,
  limit: number,
): EngineError {
  const column = characterColumn(buf, lineStart, pos);
  const bytes = buf.subarray(pos, Math.min(limit, pos + utf8Length(buf[pos]!)));
  const character = [...messageDecoder.decode(bytes)][0];
  return new EngineError({
    code: 'parse_error',
    message: `Line ${line}, column ${column}: a quoted field is followed by '${character ?? '?'}'; a closing quote must end the field (a quote inside a quoted field is written twice: "").`,
    line,
    column,
  });
}
