/**
 * Reads Arrow IPC files (the file format, `.arrow`/`.feather` v2, and the stream format) into
 * the engine's model through the Arrow wrapper, and turns a malformed file into a clear
 * `parse_error` instead of a library stack trace.
 */
import { ipcToTable } from '../../arrow/index.ts';
import type { ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import type { LoadWarning } from '../../protocol.ts';

const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/**
 * Whether the first bytes look like Arrow IPC: the file magic `ARROW1`, or a stream's
 * continuation marker `0xFFFFFFFF`.
 *
 * @example
 * looksLikeArrowIpc(head); // true
 */
export function looksLikeArrowIpc(head: Uint8Array): boolean {
  if (head.length >= 6 && FILE_MAGIC.every((byte, i) => head[i] === byte)) return true;
  return (
    head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff
  );
}

/**
 * The table in Arrow IPC bytes, with warnings for columns converted lossily or left out.
 *
 * @example
 * const { table, warnings } = readArrowIpc(new Uint8Array(await file.arrayBuffer()));
 */
export function readArrowIpc(bytes: Uint8Array): { table: ColumnTable; warnings: LoadWarning[] } {
  if (!looksLikeArrowIpc(bytes)) {
    throw new EngineError({
      code: 'parse_error',
      message: 'This is not an Arrow IPC file: it does not start with "ARROW1" or a stream marker.',
      offset: 0,
    });
  }
  try {
    return ipcToTable(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EngineError(
      {
        code: 'parse_error',
        message: `The Arrow file is damaged or incomplete and could not be read: ${reason}`,
      },
      { cause: error },
    );
  }
}
