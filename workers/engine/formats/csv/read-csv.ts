/**
 * Reads CSV/TSV text, chunk by chunk, into the engine's columnar model: the scanner finds the
 * fields of each batch of records, then each column's reader parses its fields straight from
 * the bytes into typed storage. Nothing holds the whole file, and no JavaScript string is made
 * per field (only per distinct category value, per header name and for messages).
 */
import type { ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import type { LoadWarning } from '../../protocol.ts';
import { throwIfCancelled, type SizedChunks } from '../../sources/read-chunks.ts';
import {
  checkColumnTypes,
  chosenType,
  unknownColumnWarnings,
  type ColumnTypes,
} from '../chosen-types.ts';
import { ColumnReader } from './column-reader.ts';
import { CsvScanner, FINISHED, HEADER_DONE, NEED_INPUT } from './csv-scanner.ts';
import { uniqueColumnNames } from './header-names.ts';
import { decodeText, isValidUtf8 } from './parse-values.ts';
import { WarningLog } from './warning-log.ts';

const QUOTE = 34;
const DOT = 46;
const COMMA = 44;
/** Room for rows a little longer on average than the first batch's. */
const EXPECTED_ROWS_MARGIN = 1.03;

/** The delimiters read; `undefined` means: detect it from the header line. */
export type CsvDelimiter = ',' | '\t' | ';' | '|';

export interface CsvReadOptions {
  /** The field separator; detected from the header line among `,` tab `;` `|` when absent. */
  readonly delimiter?: CsvDelimiter | undefined;
  /** Types the user chose for some columns, by column name (after renaming); others inferred. */
  readonly columnTypes?: ColumnTypes | undefined;
  /** Cancels the load; checked between chunks. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Called after each chunk with the bytes read and the rows parsed so far (rows are counted a
   * batch at a time), and once more at the end with the totals.
   */
  readonly onProgress?: ((bytesRead: number, rows: number) => void) | undefined;
}

export interface CsvReadResult {
  readonly table: ColumnTable;
  /** The first 100 warnings, in file order. */
  readonly warnings: LoadWarning[];
  /** How many warnings there were in all. */
  readonly warningCount: number;
}

const DELIMITERS: readonly string[] = [',', '\t', ';', '|'];

function checkOptions(options: CsvReadOptions): void {
  if (options.delimiter !== undefined && !DELIMITERS.includes(options.delimiter)) {
    throw new EngineError({
      code: 'invalid_request',
      message: `Invalid request: the delimiter must be a comma, a tab, ";" or "|".`,
    });
  }
  checkColumnTypes(options.columnTypes ?? {});
}

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
    { code: 'internal', message: `Reading the CSV file failed unexpectedly: ${reason}` },
    { cause: error },
  );
}

/** The header's names as written: unescaped, decoded (bad UTF-8 replaced, with a warning). */
function headerTexts(scanner: CsvScanner, log: WarningLog): string[] {
  const { buf, starts, ends, headerLine } = scanner;
  const names: string[] = [];
  for (let field = 0; field < scanner.headerFieldCount; field++) {
    const start = starts[field]!;
    const end = ends[field]!;
    const realEnd = end < 0 ? ~end : end;
    if (buf.subarray(start, realEnd).includes(0)) {
      throw new EngineError({
        code: 'parse_error',
        message: `Line ${headerLine}: the header holds zero bytes, so this is not a text file (it may be a spreadsheet such as .xlsx, or UTF-16 text). Save it as CSV (UTF-8) and open it again.`,
        line: headerLine,
      });
    }
    if (!isValidUtf8(buf, start, realEnd)) {
      log.invalidUtf8(headerLine, () => ({
        kind: 'invalid-utf8',
        line: headerLine,
        message: `Line ${headerLine}: the header holds bytes that are not valid UTF-8; they were replaced with "\uFFFD". The file may be in another encoding (Latin-1, Windows-1252).`,
      }));
    }
    const text = decodeText(buf, start, realEnd);
    names.push(end < 0 ? text.replaceAll(String.fromCharCode(QUOTE, QUOTE), '"') : text);
  }
  return names;
}

/**
 * Reads a CSV or TSV file from its chunks into a table.
 *
 * Decisions (see README.md): the first non-blank line is the header; blank lines are skipped;
 * fields are typed by inference unless `columnTypes` names the column; empty fields (quoted or
 * not) and the unquoted tokens NA, N/A, n/a, #N/A, null, NULL, None, NaN, nan, -NaN, -nan are
 * null; malformed quoting is a `parse_error` with its line and column.
 *
 * @example
 * const { table, warnings } = await readCsv(readChunks(file, { signal }), { signal });
 */
export async function readCsv(
  chunks: SizedChunks,
  options: CsvReadOptions = {},
): Promise<CsvReadResult> {
  checkOptions(options);
  const log = new WarningLog();
  const scanner = new CsvScanner(log, options.delimiter);
  const columnTypes = options.columnTypes ?? {};
  let readers: ColumnReader[] | null = null;
  let rows = 0;

  const startColumns = () => {
    const names = uniqueColumnNames(headerTexts(scanner, log), scanner.headerLine, log);
    const decimalMark = scanner.delimiterChar === ';' ? COMMA : DOT;
    // Told as soon as the header is known, so they are among the warnings kept.
    for (const warning of unknownColumnWarnings(columnTypes, names)) log.add(warning);
    readers = names.map(
      (name) => new ColumnReader(name, log, { fixed: chosenType(columnTypes, name), decimalMark }),
    );
    scanner.setColumnCount(names.length);
  };

  const drain = () => {
    for (;;) {
      const stop = scanner.scan();
      if (stop === HEADER_DONE) {
        startColumns();
        continue;
      }
      // A batch is read only once complete, so chunk boundaries never decide what is inferred.
      if (stop === NEED_INPUT) return;
      if (readers !== null && scanner.count > 0) {
        if (rows === 0 && chunks.totalBytes !== undefined) {
          // The first batch's bytes per row, over the whole file: storage sized once.
          const expected = (chunks.totalBytes / scanner.bytesConsumed) * scanner.count;
          const rowsExpected = Math.ceil(expected * EXPECTED_ROWS_MARGIN) + 64;
          for (const reader of readers) reader.expectRows(rowsExpected);
        }
        for (let column = 0; column < readers.length; column++) {
          readers[column]!.readBatch(scanner, column);
        }
        rows += scanner.count;
      }
      scanner.takeBatch();
      if (stop === FINISHED) return;
    }
  };

  try {
    let bytesRead = 0;
    for await (const chunk of chunks) {
      throwIfCancelled(options.signal);
      bytesRead += chunk.byteLength;
      scanner.append(chunk);
      drain();
      options.onProgress?.(bytesRead, rows);
    }
    throwIfCancelled(options.signal);
    scanner.endInput();
    drain();
    options.onProgress?.(bytesRead, rows);
    // A file without a header has no columns at all.
    if (readers === null) {
      for (const warning of unknownColumnWarnings(columnTypes, [])) log.add(warning);
    }
    const finished: readonly ColumnReader[] = readers ?? [];
    const columns = finished.map((reader) => ({ name: reader.name, data: reader.finish() }));
    return { table: { columns, length: rows }, warnings: log.list(), warningCount: log.count };
  } catch (error) {
    throw asEngineError(error);
  }
}
