/**
 * Reads JSON lines (one JSON object per line) into the engine's model. Lines may be split across
 * chunks; the columns are the union of every object's keys, typed from all their values once the
 * whole file is read. Nested values are kept as their JSON text.
 */
import type { ColumnData, ColumnTable } from '../../columns/column-data.ts';
import {
  BoolBuilder,
  DictBuilder,
  NumberBuilder,
  Utf8Builder,
} from '../../columns/column-builder.ts';
import { EngineError } from '../../engine-error.ts';
import type { LoadWarning } from '../../protocol.ts';
import { throwIfCancelled } from '../../sources/read-chunks.ts';

export interface ReadJsonLinesOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesRead: number, rows: number) => void;
}

type Cell = string | number | boolean | null;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const CATEGORY_MAX_DISTINCT = 256;

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

function buildColumn(cells: readonly Cell[]): ColumnData {
  let allBool = true;
  let allNumber = true;
  let allInt = true;
  let allDate = true;
  let allDatetime = true;
  let allString = true;
  const distinct = new Set<string>();
  for (const cell of cells) {
    if (cell === null) continue;
    if (typeof cell !== 'boolean') allBool = false;
    if (typeof cell !== 'number') allNumber = allInt = false;
    else if (!Number.isInteger(cell) || cell > 2_147_483_647 || cell < -2_147_483_648) {
      allInt = false;
    }
    if (typeof cell !== 'string') allString = allDate = allDatetime = false;
    else {
      if (!ISO_DATE.test(cell)) allDate = false;
      if (!ISO_DATETIME.test(cell) || Number.isNaN(Date.parse(cell))) allDatetime = false;
      if (distinct.size <= CATEGORY_MAX_DISTINCT) distinct.add(cell);
    }
  }
  const present = cells.some((cell) => cell !== null);
  if (present && allBool) {
    const builder = new BoolBuilder();
    for (const cell of cells) {
      if (cell === null) builder.appendNull();
      else builder.append(cell as boolean);
    }
    return builder.finish();
  }
  if (present && allNumber) {
    const builder = new NumberBuilder(allInt ? 'int' : 'float');
    for (const cell of cells) {
      if (cell === null) builder.appendNull();
      else builder.append(cell as number);
    }
    return builder.finish();
  }
  if (present && allString && (allDate || allDatetime)) {
    const builder = new NumberBuilder(allDate ? 'date' : 'datetime');
    for (const cell of cells) {
      if (cell === null) builder.appendNull();
      else {
        const millis = Date.parse(allDate ? `${cell as string}T00:00:00Z` : (cell as string));
        builder.append(allDate ? Math.round(millis / 86_400_000) : millis);
      }
    }
    return builder.finish();
  }
  const useDict =
    present &&
    allString &&
    distinct.size <= CATEGORY_MAX_DISTINCT &&
    distinct.size * 2 < cells.length;
  const builder = useDict ? new DictBuilder() : new Utf8Builder();
  for (const cell of cells) {
    if (cell === null) builder.appendNull();
    else builder.append(String(cell));
  }
  return builder.finish();
}

/**
 * Reads JSON lines from chunks of bytes.
 *
 * @example
 * const { table } = await readJsonLines(readChunks(file), { signal });
 */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadJsonLinesOptions = {},
): Promise<{ table: ColumnTable; warnings: LoadWarning[]; warningCount: number }> {
  const decoder = new TextDecoder();
  const columns = new Map<string, Cell[]>();
  let rows = 0;
  let line = 0;
  let bytesRead = 0;
  let pending = '';

  const takeLine = (text: string) => {
    line++;
    const trimmed = text.trim();
    if (trimmed === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new EngineError(
        {
          code: 'parse_error',
          message: `Line ${line} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
          line,
        },
        { cause: error },
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new EngineError({
        code: 'parse_error',
        message: `Line ${line} is not a JSON object; each line must hold one object like {"a": 1}.`,
        line,
      });
    }
    for (const [key, value] of Object.entries(parsed)) {
      let cells = columns.get(key);
      if (!cells) {
        cells = new Array<Cell>(rows).fill(null);
        columns.set(key, cells);
      }
      cells.push(cellOf(value));
    }
    rows++;
    for (const cells of columns.values()) if (cells.length < rows) cells.push(null);
  };

  for await (const chunk of chunks) {
    throwIfCancelled(options.signal);
    bytesRead += chunk.byteLength;
    const text = pending + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) takeLine(part);
    options.onProgress?.(bytesRead, rows);
  }
  pending += decoder.decode();
  if (pending !== '') takeLine(pending);
  const table: ColumnTable = {
    length: rows,
    columns: [...columns].map(([name, cells]) => ({ name, data: buildColumn(cells) })),
  };
  return { table, warnings: [], warningCount: 0 };
}
