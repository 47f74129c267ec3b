/**
 * The tables this page has open in the engine, by the id the Data pages use for them: the id of
 * the dataset kept on this device, or the engine's table id when it could not be kept. It lives
 * as long as the page (the engine's tables do too), so going back to a dataset opened a minute
 * ago does not decrypt and rebuild it again. When the dataset came from a file in this page's
 * life, the file is held too: re-reading it is how a column's type is changed.
 */
import type { FileFormat, LogicalType, TableInfo } from '../../workers/engine/protocol.ts';

export interface OpenTable {
  readonly table: TableInfo;
  /** Present while the source file is in hand (not after a reload). */
  readonly file?: File;
  readonly format: FileFormat;
  /** The types the user chose for some columns when the file was read. */
  readonly columnTypes?: Readonly<Record<string, LogicalType>>;
  /** Why the dataset is not kept on this device, when it is not. */
  readonly notKept?: unknown;
}

const open = new Map<string, OpenTable>();

/**
 * The open table a Data page id stands for, if this page has it.
 *
 * @example
 * const known = openTable(datasetId);
 */
export function openTable(id: string): OpenTable | undefined {
  return open.get(id);
}

/**
 * Remembers an open table under a Data page id.
 *
 * @example
 * rememberOpenTable(kept.id, { table, file, format: 'csv' });
 */
export function rememberOpenTable(id: string, entry: OpenTable): void {
  open.set(id, entry);
}

/**
 * Forgets an open table (when its dataset is deleted or replaced); returns what it held.
 *
 * @example
 * const gone = forgetOpenTable(datasetId);
 * if (gone) void engine().drop(gone.table.tableId);
 */
export function forgetOpenTable(id: string): OpenTable | undefined {
  const entry = open.get(id);
  open.delete(id);
  return entry;
}

/**
 * Forgets every open table, returning them (on sign-out).
 *
 * @example
 * for (const entry of forgetAllOpenTables()) void engine().drop(entry.table.tableId);
 */
export function forgetAllOpenTables(): OpenTable[] {
  const entries = [...open.values()];
  open.clear();
  return entries;
}
