/**
 * CSV (RFC 4180) to an Arrow IPC stream with a type inferred for each column.
 *
 * Why it reads the way it does:
 * - Quoting, doubled quotes and line breaks inside quotes are csv-parse's job; both CRLF and LF
 *   end a record, since files stitched together from several tools often mix them.
 * - Line numbers in messages are counted here from the bytes: csv-parse's own count drifts after
 *   a quoted CRLF, and a user looking for a broken row needs the line their editor shows.
 * - An unquoted empty cell is a null; a quoted one (`""`) is an empty string in a text column.
 * - A number with a leading zero (`007`, `0123`) stays text: such columns are identifiers (sample
 *   ids, postcodes), and reading them as numbers would lose the zeros.
 */
import { isUtf8 } from 'node:buffer';
import { Table } from 'apache-arrow';
import { CsvError, parse } from 'csv-parse/sync';
import { ApiError } from '../errors/index.ts';
import { streamWithSummary, type ArrowTableSummary } from './arrow-ipc.ts';
import {
  recordBatchFromRows,
  schemaOfColumns,
  type ArrowColumn,
  type ArrowColumnKind,
} from './rows-to-arrow.ts';

/**
 * The CSV cannot be read as a table; the message says what is wrong and where.
 *
 * @example
 * throw new CsvFormatError('Line 7 has 3 fields, but the header has 4.');
 */
export class CsvFormatError extends ApiError {
  override readonly name = 'CsvFormatError';
  constructor(message: string, options?: ErrorOptions) {
    super(400, 'invalid_csv', message, options);
  }
}

export interface CsvOptions {
  /** Refuse files with more columns than this; default `DEFAULT_MAX_CSV_COLUMNS`. */
  maxColumns?: number;
}

export const DEFAULT_MAX_CSV_COLUMNS = 10_000;

/** Rows per record batch, so no single batch's text nears Arrow's 2 GiB offset limit. */
const BATCH_ROWS = 65_536;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

type InferredKind = Extract<ArrowColumnKind, 'int32' | 'float64' | 'bool' | 'date' | 'utf8'>;
type Cell = string | null;

interface ParsedRecord {
  record: Cell[];
  info: { bytes: number };
}

const INTEGER = /^[-+]?(?:0|[1-9]\d*)$/;
const DECIMAL = /^[-+]?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const NOT_A_NUMBER = /^[-+]?(?:nan|inf|infinity)$/i;
const BOOLEAN = /^(?:true|false)$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads a CSV file whose first row names the columns and returns it as an Arrow IPC stream.
 * Each column gets the narrowest type all its values fit: `int32` (integers that fit 32 bits;
 * larger ones make the column `float64`), `float64`, `bool` (`true`/`false`), `date32`
 * (`YYYY-MM-DD`), else `utf8`.
 *
 * @example
 * const { ipc, rowCount, columns } = csvToArrowIpc(new TextEncoder().encode('id,ok\n1,true\n'));
 * // rowCount 1, columns [{ name: 'id', type: 'int32' }, { name: 'ok', type: 'bool' }]
 */
export function csvToArrowIpc(
  bytes: Uint8Array,
  options: CsvOptions = {},
): ArrowTableSummary & { ipc: Uint8Array } {
  const maxColumns = options.maxColumns ?? DEFAULT_MAX_CSV_COLUMNS;
  if (!isUtf8(bytes)) {
    throw new CsvFormatError('The file is not UTF-8 text; save it as UTF-8 CSV and try again.');
  }
  const [header, ...records] = parseRecords(bytes);
  if (!header) throw new CsvFormatError('The file is empty; its first row must name the columns.');
  const names = checkHeader(header.record, maxColumns);

  records.forEach(({ record }, index) => {
    if (record.length !== names.length) {
      const previous = index === 0 ? header : records[index - 1]!;
      throw new CsvFormatError(
        `Line ${String(lineAt(bytes, previous.info.bytes))} has ${String(record.length)} fields, but the header has ${String(names.length)}.`,
      );
    }
  });

  const kinds = names.map((_, column) => inferKind(records, column));
  const columns: ArrowColumn[] = names.map((name, column) => ({ name, kind: kinds[column]! }));
  const schema = schemaOfColumns(columns);
  const batches = [];
  for (let start = 0; start < records.length; start += BATCH_ROWS) {
    const rows = records
      .slice(start, start + BATCH_ROWS)
      .map(({ record }) => record.map((cell, column) => valueOf(cell, kinds[column]!)));
    batches.push(recordBatchFromRows(schema, columns, rows));
  }
  return streamWithSummary(new Table(schema, batches));
}

function parseRecords(bytes: Uint8Array): ParsedRecord[] {
  try {
    // csv-parse's types do not follow `info: true`, which wraps each record with its position.
    return parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      bom: true,
      info: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n'],
      skip_empty_lines: true,
      cast: (value, context) => (value === '' && !context.quoting ? null : value),
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (error instanceof CsvError) {
      throw new CsvFormatError(`The file is not valid CSV: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function checkHeader(header: Cell[], maxColumns: number): string[] {
  if (header.length > maxColumns) {
    throw new CsvFormatError(
      `The file has ${String(header.length)} columns; at most ${String(maxColumns)} are accepted.`,
    );
  }
  const seen = new Map<string, number>();
  return header.map((name, index) => {
    if (name === null || name.trim() === '') {
      throw new CsvFormatError(`Column ${String(index + 1)} has no name in the header row.`);
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new CsvFormatError(
        `The header row names "${name}" twice (columns ${String(earlier + 1)} and ${String(index + 1)}).`,
      );
    }
    seen.set(name, index);
    return name;
  });
}

/** The line a record starts on, given where the record before it ended. */
function lineAt(bytes: Uint8Array, previousEnd: number): number {
  let start = previousEnd;
  while (bytes[start] === LINE_FEED || bytes[start] === CARRIAGE_RETURN) start++;
  let line = 1;
  for (let index = 0; index < start; index++) if (bytes[index] === LINE_FEED) line++;
  return line;
}

function inferKind(records: ParsedRecord[], column: number): InferredKind {
  let seen = false;
  let integers = true;
  let int32s = true;
  let numbers = true;
  let booleans = true;
  let dates = true;
  for (const { record } of records) {
    const cell = record[column];
    if (cell === null || cell === undefined || cell === '') continue;
    seen = true;
    const integer = INTEGER.test(cell);
    integers &&= integer;
    int32s &&= integer && (Number(cell) | 0) === Number(cell);
    numbers &&= integer || DECIMAL.test(cell) || NOT_A_NUMBER.test(cell);
    booleans &&= BOOLEAN.test(cell);
    dates &&= dateOf(cell) !== undefined;
    if (!numbers && !booleans && !dates) return 'utf8';
  }
  if (!seen) return 'utf8';
  if (integers && int32s) return 'int32';
  if (numbers) return 'float64';
  if (booleans) return 'bool';
  return dates ? 'date' : 'utf8';
}

function valueOf(cell: Cell, kind: InferredKind): unknown {
  if (kind === 'utf8' || cell === null) return cell;
  if (cell === '') return null;
  switch (kind) {
    case 'int32':
      return Number(cell);
    case 'float64':
      return NOT_A_NUMBER.test(cell) ? specialFloat(cell) : Number(cell);
    case 'bool':
      return cell.toLowerCase() === 'true';
    case 'date':
      return dateOf(cell);
  }
}

function specialFloat(cell: string): number {
  if (/nan/i.test(cell)) return Number.NaN;
  return cell.startsWith('-') ? -Infinity : Infinity;
}

/** The UTC midnight of a real calendar day written `YYYY-MM-DD`, else undefined. */
function dateOf(cell: string): Date | undefined {
  const match = ISO_DATE.exec(cell);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? date : undefined;
}
