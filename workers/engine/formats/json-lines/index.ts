/**
 * Reads JSON lines (`.jsonl`, `.ndjson`: one JSON object per line) into the engine's model,
 * streamed chunk by chunk: a line may be split across chunks anywhere, each chunk's complete
 * lines are decoded with one `TextDecoder` call and parsed with `JSON.parse`, and every value
 * goes at once into its column's typed storage (`json-column.ts`), so memory holds columns,
 * not objects. The columns are the union of the objects' keys in order of first appearance; a
 * row without a key holds null there. Blank lines and a byte-order mark starting a line are
 * skipped; a line that is not a JSON object stops the load with a `parse_error` naming its line
 * and column. A column named in `columnTypes` takes the type chosen for it (`chosen-column.ts`);
 * the others infer theirs (`json-column.ts`).
 */
import type { Column, ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import type { LoadWarning } from '../../protocol.ts';
import { throwIfCancelled } from '../../sources/read-chunks.ts';
import {
  checkColumnTypes,
  chosenType,
  unknownColumnWarnings,
  type ColumnTypes,
} from '../chosen-types.ts';
import { ChosenColumn } from './chosen-column.ts';
import { JsonColumn } from './json-column.ts';
import { locateJsonError } from './locate-json-error.ts';

export interface ReadJsonLinesOptions {
  /** Types the user chose for some columns, by key; the others are inferred. */
  readonly columnTypes?: ColumnTypes | undefined;
  readonly signal?: AbortSignal;
  /** Called after each chunk with the bytes and rows read so far. */
  readonly onProgress?: (bytesRead: number, rows: number) => void;
}

export interface JsonLinesTable {
  readonly table: ColumnTable;
  readonly warnings: LoadWarning[];
  readonly warningCount: number;
}

const NEWLINE = 0x0a;
const MAX_ROWS = 4_294_967_295;
/**
 * The longest line read: past it the file is most likely not JSON lines (one document, or no
 * line breaks at all), and holding it would only take ever more memory.
 */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  return typeof value === 'boolean' ? 'true or false' : 'a value';
}

/** Turns JSON lines into columns, one complete line at a time. */
class JsonLinesParser {
  private readonly columns: (JsonColumn | ChosenColumn)[] = [];
  private readonly columnOf = new Map<string, JsonColumn | ChosenColumn>();
  readonly warnings: LoadWarning[] = [];
  rows = 0;
  /** The 1-based number of the next line. */
  private line = 1;

  constructor(private readonly columnTypes: ColumnTypes) {}

  /** Parses the complete lines in `text` (which ends right after a newline or at the file's end). */
  parseLines(text: string): void {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const stop = end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
      this.parseLine(text.slice(start, stop));
      this.line++;
      start = end + 1;
    }
  }

  private parseLine(text: string) {
    // A byte-order mark may start any line: files that each had one are joined with `cat`.
    const line = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const place = locateJsonError(line) ?? { column: 1, problem: 'it is not valid JSON' };
      throw new EngineError(
        {
          code: 'parse_error',
          message: `Line ${this.line} is not valid JSON: ${place.problem} (column ${place.column}).`,
          line: this.line,
          column: place.column,
        },
        { cause: error },
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new EngineError({
        code: 'parse_error',
        message: `Line ${this.line} holds ${kindOf(value)}, not an object; each line must be one object such as {"dose": 5}.`,
        line: this.line,
        column: line.search(/\S/) + 1,
      });
    }
    if (this.rows === MAX_ROWS) {
      throw new EngineError({
        code: 'too_large',
        message: `This file has more than ${MAX_ROWS} rows, more than can be opened here.`,
      });
    }
    this.addRow(value as Record<string, unknown>);
  }

  private addRow(record: Record<string, unknown>) {
    const row = this.rows;
    let touched = 0;
    for (const key of Object.keys(record)) {
      let column = this.columnOf.get(key);
      if (column === undefined) {
        const type = chosenType(this.columnTypes, key);
        column =
          type === undefined
            ? new JsonColumn(key, this.warnings)
            : new ChosenColumn(key, type, this.warnings);
        for (let k = 0; k < row; k++) column.addNull();
        this.columnOf.set(key, column);
        this.columns.push(column);
      }
      column.add(record[key], this.line);
      touched++;
    }
    if (touched !== this.columns.length) {
      for (const column of this.columns) if (column.length === row) column.addNull();
    }
    this.rows = row + 1;
  }

  finish(): ColumnTable {
    const columns: Column[] = this.columns.map((column) => ({
      name: column.name,
      data: column.finish(),
    }));
    // Only now are all the keys known; and only after the columns are finished, since a column
    // rewrites its own warning in place. Without a line, these come first, as in CSV.
    const names = this.columns.map((column) => column.name);
    this.warnings.unshift(...unknownColumnWarnings(this.columnTypes, names));
    return { columns, length: this.rows };
  }

  /** The number the next line will get. */
  get nextLine(): number {
    return this.line;
  }
}

/** Decodes UTF-8, strictly first so that invalid bytes can be reported once, with their line. */
class Utf8Lines {
  // Neither drops a byte-order mark: that would depend on where a chunk began (see parseLine).
  private readonly strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private readonly lenient = new TextDecoder('utf-8', { ignoreBOM: true });
  invalidReported = false;

  /** The text of `bytes`, which hold whole lines; the first invalid line (1-based from `firstLine`) is reported. */
  decode(bytes: Uint8Array, firstLine: number, warnings: LoadWarning[]): string {
    try {
      return this.strict.decode(bytes);
    } catch {
      if (!this.invalidReported) {
        this.invalidReported = true;
        warnings.push({
          kind: 'invalid-utf8',
          line: firstLine + this.firstBadLine(bytes),
          message:
            'Some text is not valid UTF-8 (the first on this line); the bad bytes were replaced with "�".',
        });
      }
      return this.lenient.decode(bytes);
    }
  }

  private firstBadLine(bytes: Uint8Array): number {
    let start = 0;
    for (let line = 0; start < bytes.length; line++) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end < 0) end = bytes.length;
      try {
        this.strict.decode(bytes.subarray(start, end));
      } catch {
        return line;
      }
      start = end + 1;
    }
    return 0;
  }
}

function joined(pieces: readonly Uint8Array[], tail: Uint8Array): Uint8Array {
  if (pieces.length === 0) return tail;
  let size = tail.length;
  for (const piece of pieces) size += piece.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  out.set(tail, at);
  return out;
}

/**
 * The table in a JSON-lines file given as chunks of bytes, and what reading it found worth
 * telling.
 *
 * @example
 * const { table, warnings } = await readJsonLines(readChunks(file, { signal }), {
 *   columnTypes: { dose: 'float' },
 *   signal,
 * });
 */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadJsonLinesOptions = {},
): Promise<JsonLinesTable> {
  const { signal, onProgress } = options;
  const columnTypes = options.columnTypes ?? {};
  checkColumnTypes(columnTypes);
  throwIfCancelled(signal);
  const parser = new JsonLinesParser(columnTypes);
  const utf8 = new Utf8Lines();
  // Bytes of a line not yet complete, as they came.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let bytesRead = 0;
  const parseBytes = (bytes: Uint8Array) =>
    parser.parseLines(utf8.decode(bytes, parser.nextLine, parser.warnings));
  try {
    for await (const chunk of chunks) {
      throwIfCancelled(signal);
      bytesRead += chunk.byteLength;
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        pendingBytes += chunk.length;
        if (pendingBytes > MAX_LINE_BYTES) throw lineTooLong(parser.nextLine);
        // Copied: the reader may reuse the chunk's memory.
        pending.push(chunk.slice());
      } else {
        if (pendingBytes + lastNewline > MAX_LINE_BYTES) throw lineTooLong(parser.nextLine);
        parseBytes(joined(pending, chunk.subarray(0, lastNewline + 1)));
        pending = lastNewline + 1 < chunk.length ? [chunk.slice(lastNewline + 1)] : [];
        pendingBytes = chunk.length - lastNewline - 1;
      }
      onProgress?.(bytesRead, parser.rows);
    }
    throwIfCancelled(signal);
    if (pending.length > 0) parseBytes(joined(pending, new Uint8Array(0)));
    const table = parser.finish();
    onProgress?.(bytesRead, table.length);
    return { table, warnings: parser.warnings, warningCount: parser.warnings.length };
  } catch (error) {
    throw asEngineError(error);
  }
}

function lineTooLong(line: number): EngineError {
  return new EngineError({
    code: 'parse_error',
    message: `Line ${line} runs on for more than ${MAX_LINE_BYTES / 1024 / 1024} MiB without a line break; this does not look like JSON lines (one object per line).`,
    line,
  });
}

/** Any failure as an `EngineError`: running out of room is `too_large`, the rest `internal`. */
function asEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError) {
    return new EngineError(
      { code: 'too_large', message: `The file is too large to open in this browser: ${reason}` },
      { cause: error },
    );
  }
  return new EngineError(
    { code: 'internal', message: `Reading the JSON lines file failed unexpectedly: ${reason}` },
    { cause: error },
  );
}
