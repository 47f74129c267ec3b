/**
 * The broker's data handlers for a plugin launched from the workbench: reads come from the engine
 * view the plugin was launched on (only the granted columns), results go through the engine's
 * checks before they join anything. `columns` results become a NEW table (the launch rows plus
 * the result columns, labelled with the plugin) that the workbench then shows; `table` results
 * become a new table of their own. The user's table is never changed in place.
 */
import type { TableInfo } from '../../workers/engine/protocol.ts';
import { EngineError } from '../../workers/engine/engine-error.ts';
import { engine } from '../engine/engine-client.ts';
import { PluginCallError, type PluginBrokerHandlers, type PreparedWrite } from './broker/index.ts';

export interface WorkbenchPluginDataOptions {
  /** The engine view (or table) the plugin reads, made for it at launch. */
  readonly sourceId: string;
  /** How many columns the source has (the result's columns follow them). */
  readonly sourceColumnCount: number;
  readonly pluginId: string;
  readonly pluginName: string;
  /** A `columns` result was added: show this table. */
  readonly onColumnsAdded: (table: TableInfo) => void;
  /** A `table` result was made: offer it. */
  readonly onTableMade: (table: TableInfo) => void;
}

function resultError(error: unknown): PluginCallError {
  if (error instanceof EngineError) {
    return new PluginCallError(
      error.code === 'too_large' ? 'too_large' : 'invalid_result',
      `The result was refused: ${error.message}`,
    );
  }
  return new PluginCallError('failed', 'The host could not add the result.');
}

function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}

/**
 * @example
 * const data = workbenchPluginData({ sourceId, pluginId, pluginName, onColumnsAdded, onTableMade });
 * createPluginBroker({ port, session, handlers: { ...data, ...ui, ...storage }, report, onTerminate });
 */
export function workbenchPluginData(
  options: WorkbenchPluginDataOptions,
): Pick<PluginBrokerHandlers, 'readColumns' | 'prepareWrite'> {
  // Each `columns` result is added to the table the previous one made, so results accumulate.
  let base = options.sourceId;
  let baseColumnCount = options.sourceColumnCount;
  return {
    async readColumns(columns, window) {
      const answer = await engine().rows(options.sourceId, window.offset, window.limit, columns);
      return { ipc: ownBuffer(answer.ipc), rows: answer.rows };
    },
    async prepareWrite(params): Promise<PreparedWrite> {
      let made: TableInfo;
      let added: TableInfo['columns'];
      try {
        if (params.mode === 'columns') {
          made = await engine().appendColumns(base, params.ipc, { label: options.pluginId });
          added = made.columns.slice(baseColumnCount);
        } else {
          made = await engine().open(
            {
              kind: 'bytes',
              bytes: params.ipc,
              name: params.name ?? `${options.pluginName} result`,
            },
            { jobId: crypto.randomUUID(), format: 'arrow', label: options.pluginId },
          );
          added = made.columns;
        }
      } catch (error) {
        throw resultError(error);
      }
      const table = made;
      const columns = added.map((column) => column.name);
      return {
        columns,
        rows: table.rowCount,
        async commit() {
          if (params.mode === 'columns') {
            base = table.tableId;
            baseColumnCount = table.columns.length;
            options.onColumnsAdded(table);
            return { columns, rows: table.rowCount };
          }
          options.onTableMade(table);
          return { columns, rows: table.rowCount, tableName: table.name };
        },
        discard() {
          void engine().drop(table.tableId);
        },
      };
    },
  };
}
