/**
 * The engine's one error class: a stable `code` and a message written for the person using the
 * app, with the place of the problem where there is one. It crosses the worker boundary as
 * `EngineErrorData` and is rebuilt on the other side (see `comlink/`).
 */
import type { EngineErrorCode, EngineErrorData } from './protocol.ts';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: EngineErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly offset: number | undefined;

  /**
   * @example
   * throw new EngineError({ code: 'parse_error', message: 'Unclosed quote', line: 12, column: 4 });
   */
  constructor(data: EngineErrorData, options?: { cause?: unknown }) {
    super(data.message, options);
    this.code = data.code;
    this.line = data.line;
    this.column = data.column;
    this.offset = data.offset;
  }

  /** The plain data that crosses the worker boundary. */
  toData(): EngineErrorData {
    return {
      code: this.code,
      message: this.message,
      ...(this.line !== undefined ? { line: this.line } : {}),
      ...(this.column !== undefined ? { column: this.column } : {}),
      ...(this.offset !== undefined ? { offset: this.offset } : {}),
    };
  }
}

/**
 * The column of `table` called `name`, or an `unknown_column` error naming it.
 *
 * @example
 * const dose = columnNamed(table, 'dose_mg');
 */
export function columnNamed<Column extends { readonly name: string }>(
  table: { readonly columns: readonly Column[] },
  name: string,
): Column {
  const column = table.columns.find((candidate) => candidate.name === name);
  if (!column) {
    throw new EngineError({ code: 'unknown_column', message: `There is no column "${name}".` });
  }
  return column;
}
