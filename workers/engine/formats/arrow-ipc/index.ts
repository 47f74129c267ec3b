/**
 * Reads Arrow IPC files (the file format of `.arrow` / Feather v2, and the stream format of
 * `.arrows`) into the engine's model. The work is the Arrow wrapper's (`arrow/`), which keeps
 * Arrow's buffers as they are where their layout is the model's, so even a large file opens in
 * about the time its metadata takes to parse; this module checks that the bytes are Arrow at all
 * and turns anything unreadable into an `EngineError` a person can act on.
 */
import { ipcToTable, type IpcToTableOptions } from '../../arrow/index.ts';
import type { ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import type { LoadWarning } from '../../protocol.ts';

/** `ARROW1`, at the start (and end) of the file format. */
const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31] as const;

/**
 * Whether the first bytes look like Arrow IPC: the file format's magic `ARROW1`, or the stream
 * format's continuation marker `0xFFFFFFFF` (Arrow 0.15 and later).
 *
 * @example
 * looksLikeArrowIpc(new Uint8Array(await file.slice(0, 8).arrayBuffer())); // true
 */
export function looksLikeArrowIpc(head: Uint8Array): boolean {
  if (head.length >= FILE_MAGIC.length && FILE_MAGIC.every((byte, at) => head[at] === byte)) {
    return true;
  }
  return (
    head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff
  );
}

/**
 * The table in Arrow IPC bytes (file or stream format) and what reading it found worth telling.
 * Throws a `parse_error` for bytes that are not Arrow or are damaged or cut short, and
 * `unsupported_format` for compressed record batches. The table's buffers are views of `bytes`
 * where the layouts match, so `bytes` must stay as they are while the table is held; dictionary
 * codes and string offsets are checked when first read, which may throw that `parse_error`
 * then (see `arrow/README.md`). `options.checkLayout` may refuse the fields and row count before
 * any column is read.
 *
 * @example
 * const { table, warnings } = readArrowIpc(new Uint8Array(await file.arrayBuffer()));
 */
export function readArrowIpc(
  bytes: Uint8Array,
  options?: IpcToTableOptions,
): {
  table: ColumnTable;
  warnings: LoadWarning[];
} {
  if (!looksLikeArrowIpc(bytes)) {
    throw new EngineError({
      code: 'parse_error',
      message:
        'This file is not Arrow IPC: it starts neither with "ARROW1" (the file format) nor with the stream format\'s marker. If it was written by Arrow before version 0.15, write it again with a current version.',
      offset: 0,
    });
  }
  return ipcToTable(bytes, options);
}
