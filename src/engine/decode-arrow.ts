/**
 * Decodes the engine's Arrow answers on the page. They are small by design (a page of rows, a
 * chart's points), and decoding reuses the transferred buffer rather than copying it.
 */
import { ipcToTable } from '../../workers/engine/arrow/index.ts';
import type { ColumnTable } from '../../workers/engine/columns/column-data.ts';
import type { ArrowBytes } from '../../workers/engine/protocol.ts';

/**
 * The table an engine answer holds.
 *
 * @example
 * const page = decodeArrow(await engine().rows(viewId, 0, 200));
 */
export function decodeArrow(bytes: ArrowBytes): ColumnTable {
  return ipcToTable(bytes.ipc).table;
}
