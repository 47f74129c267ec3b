/**
 * After a file is open in the engine: keep it on this device, encrypted (see
 * `src/local-datasets/`), and remember the open table under the kept dataset's id. Keeping can
 * fail (the browser's storage quota, a private window); the table then stays open for this page
 * under the engine's id, and the reason is shown instead of being swallowed.
 */
import type { FileFormat, LogicalType, TableInfo } from '../../workers/engine/protocol.ts';
import { engine } from '../engine/engine-client.ts';
import { saveDataset } from '../local-datasets/index.ts';
import { rememberOpenTable } from './open-tables.ts';

export interface KeepOnDeviceOptions {
  readonly ownerId: string;
  readonly table: TableInfo;
  readonly format: FileFormat;
  /** The file it came from, kept in hand so a column's type can be changed by re-reading it. */
  readonly file?: File;
  readonly columnTypes?: Readonly<Record<string, LogicalType>>;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Keeps an open table on this device and returns the id the Data pages know it by.
 *
 * @example
 * const id = await keepOnDevice({ ownerId: user.id, table, format: 'csv', file });
 * void navigate({ to: '/data/$datasetId', params: { datasetId: id } });
 */
export async function keepOnDevice(options: KeepOnDeviceOptions): Promise<string> {
  const { ownerId, table, format, file } = options;
  const held = {
    table,
    format,
    ...(file ? { file } : {}),
    ...(options.columnTypes ? { columnTypes: options.columnTypes } : {}),
  };
  try {
    const { ipc } = await engine().exportArrow(table.tableId);
    const kept = await saveDataset(
      ownerId,
      {
        name: table.name.replace(/\.[^.]+$/, '') || table.name,
        format,
        sourceName: table.name,
        rows: table.rowCount,
        columns: table.columns.map((column) => ({ name: column.name, type: column.type })),
        ipc,
      },
      options.onProgress ? { onProgress: options.onProgress } : {},
    );
    rememberOpenTable(kept.id, held);
    return kept.id;
  } catch (error) {
    rememberOpenTable(table.tableId, { ...held, notKept: error });
    return table.tableId;
  }
}
