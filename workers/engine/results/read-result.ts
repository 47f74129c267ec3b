/**
 * A plugin's result as the engine takes it: Arrow IPC bytes a plugin handed back, checked in full
 * before they join anything the user sees (issue 6: results are validated for schema, row count
 * and size, and labelled with the plugin that made them). The bytes go through the engine's own
 * checked Arrow reader, so damaged or hostile bytes are a `parse_error`, never a crash or a hang;
 * what this module adds are the limits of a result, checked on the layout before any column is
 * read, and the checks the reader defers to a column's first read, run now: a result whose
 * dictionary codes or string offsets are damaged is refused here, not on the user's next query.
 */
import type { IpcLayout, IpcTable } from '../arrow/index.ts';
import type { Column } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import { readArrowIpc } from '../formats/arrow-ipc/index.ts';

/** What a result may be: its bytes, its columns, the length of a column's name. */
export const RESULT_LIMITS = {
  maxBytes: 256 * 1024 * 1024,
  maxColumns: 64,
  maxNameLength: 200,
} as const;

export interface ReadResultOptions {
  /** The id of the plugin that made the result; every column is labelled with it. */
  readonly label: string;
  /** At most `RESULT_LIMITS.maxBytes`, the default. */
  readonly maxBytes?: number;
  /** The rows the result must have (those of the table it joins); any number when absent. */
  readonly rows?: number;
}

/** Whether `name` holds a C0 or C1 control character: a line break or an escape is no name. */
function hasControlCharacter(name: string): boolean {
  for (let at = 0; at < name.length; at++) {
    const code = name.charCodeAt(at);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

function refused(label: string, reason: string): EngineError {
  return new EngineError({
    code: 'invalid_request',
    message: `The result of plugin "${label}" was refused: ${reason}.`,
  });
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Refuses a result larger than `maxBytes` (`too_large`), before its bytes are read.
 *
 * @example
 * checkResultSize(file.size, 'enclave.stats');
 */
export function checkResultSize(
  size: number,
  label: string,
  maxBytes: number = RESULT_LIMITS.maxBytes,
): void {
  if (size <= maxBytes) return;
  throw new EngineError({
    code: 'too_large',
    message: `The result of plugin "${label}" is ${mebibytes(size)}; a result may be at most ${mebibytes(maxBytes)}.`,
  });
}

function checkLayout({ fields, rows }: IpcLayout, options: ReadResultOptions): void {
  const { label } = options;
  if (fields.length === 0) throw refused(label, 'it holds no columns');
  if (fields.length > RESULT_LIMITS.maxColumns) {
    throw refused(
      label,
      `it holds ${fields.length} columns, more than the ${RESULT_LIMITS.maxColumns} a result may add`,
    );
  }
  fields.forEach((field, index) => {
    const { name } = field;
    if (name.length === 0) throw refused(label, `column ${index + 1} has no name`);
    if (name.length > RESULT_LIMITS.maxNameLength) {
      throw refused(
        label,
        `the name of column ${index + 1} is longer than ${RESULT_LIMITS.maxNameLength} characters`,
      );
    }
    if (hasControlCharacter(name)) {
      throw refused(label, `the name of column ${index + 1} holds control characters`);
    }
    if (!field.plain) {
      throw new EngineError({
        code: 'type_mismatch',
        message: `The result of plugin "${label}" was refused: column "${name}" is of Arrow type ${field.arrowType}; a result's columns hold whole numbers, decimals, booleans, text, dates or timestamps.`,
      });
    }
  });
  if (options.rows !== undefined && rows !== options.rows) {
    throw refused(label, `it has ${rows} rows where the table has ${options.rows}`);
  }
}

/**
 * Runs the checks the reader leaves to a column's first read (dictionary codes, string offsets)
 * by reading the guarded buffer now; a damaged one throws its `parse_error` here.
 */
function checkedNow(column: Column, label: string): Column {
  const { data } = column;
  const whole =
    data.kind === 'dict'
      ? data.codes.length === data.length
      : data.kind === 'utf8'
        ? data.offsets.length === data.length + 1
        : true;
  if (!whole) throw refused(label, `column "${column.name}" is cut short`);
  return { name: column.name, data, source: { plugin: label } };
}

/**
 * The table in a plugin's result, every column labelled with the plugin, once the bytes are
 * known to be whole Arrow IPC within the limits: `too_large` past `maxBytes`, `parse_error` for
 * bytes that are not Arrow or are damaged (`unsupported_format` when compressed),
 * `invalid_request` for no columns, more than 64, a blank, long or control-character name, or
 * rows other than `rows`, and `type_mismatch` for a column that is not numbers, booleans, text,
 * dates or timestamps (nested, binary, decimal, interval, time of day, duration). The columns are
 * views of `bytes` where their layout allows, so `bytes` must stay as they are while the table
 * is held.
 *
 * @example
 * const { table, warnings } = readResult(new Uint8Array(ipc), { label: 'enclave.stats', rows: 5 });
 */
export function readResult(bytes: Uint8Array, options: ReadResultOptions): IpcTable {
  checkResultSize(bytes.byteLength, options.label, options.maxBytes);
  const { table, warnings } = readArrowIpc(bytes, {
    checkLayout: (layout) => checkLayout(layout, options),
  });
  return {
    table: {
      length: table.length,
      columns: table.columns.map((column) => checkedNow(column, options.label)),
    },
    warnings,
  };
}
