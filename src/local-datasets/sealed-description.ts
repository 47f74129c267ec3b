/**
 * What of a kept dataset's metadata is sealed (encrypted) and what stays in clear. A dataset's
 * name, file name and column names can say what a study is about, so all of it is sealed; only
 * the id, the owner's id and the creation time stay in clear, because the store needs them to
 * find and list records without the key (and they are bound into the seal, so they cannot be
 * changed unnoticed). The sealed JSON is checked on the way back in: it was written by this code,
 * but perhaps by another version of it.
 */
import type { FileFormat, LogicalType } from '../../workers/engine/protocol.ts';
import type { LocalDatasetColumn, LocalDatasetMetadata } from './local-dataset.ts';

/** The sealed part of a dataset's metadata. */
export type SealedDescription = Omit<LocalDatasetMetadata, 'id' | 'ownerId' | 'createdAt'>;

/** The clear part of a dataset's metadata. */
export type ClearDescription = Pick<LocalDatasetMetadata, 'id' | 'ownerId' | 'createdAt'>;

// Records over the unions, so that a format or type added to the protocol fails to compile here.
const fileFormats: Readonly<Record<FileFormat, true>> = {
  csv: true,
  tsv: true,
  arrow: true,
  parquet: true,
  jsonl: true,
};
const logicalTypes: Readonly<Record<LogicalType, true>> = {
  int: true,
  float: true,
  bool: true,
  date: true,
  datetime: true,
  string: true,
  category: true,
};

/**
 * The part of `metadata` to seal, as plain JSON.
 *
 * @example
 * const sealed = await sealMetadata(key, sealedDescriptionOf(metadata), binding);
 */
export function sealedDescriptionOf(metadata: LocalDatasetMetadata): SealedDescription {
  return {
    name: metadata.name,
    format: metadata.format,
    sourceName: metadata.sourceName,
    rows: metadata.rows,
    columns: metadata.columns.map((column) => ({ name: column.name, type: column.type })),
    byteSize: metadata.byteSize,
    chunkCount: metadata.chunkCount,
    lastOpenedAt: metadata.lastOpenedAt,
  };
}

/**
 * The whole metadata from its clear part and the JSON that was sealed, or `undefined` when that
 * JSON is not a description this version understands.
 *
 * @example
 * const metadata = describedBy({ id, ownerId, createdAt }, await openMetadata(key, sealed, binding));
 */
export function describedBy(
  clear: ClearDescription,
  value: unknown,
): LocalDatasetMetadata | undefined {
  if (!isRecord(value)) return undefined;
  const { name, format, sourceName, rows, columns, byteSize, chunkCount, lastOpenedAt } = value;
  if (
    typeof name !== 'string' ||
    typeof format !== 'string' ||
    !Object.hasOwn(fileFormats, format) ||
    typeof sourceName !== 'string' ||
    !isCount(rows) ||
    !Array.isArray(columns) ||
    !isCount(byteSize) ||
    !isCount(chunkCount) ||
    chunkCount < 1 ||
    typeof lastOpenedAt !== 'string'
  ) {
    return undefined;
  }
  const parsedColumns: LocalDatasetColumn[] = [];
  for (const column of columns as unknown[]) {
    if (!isRecord(column)) return undefined;
    const { name: columnName, type } = column;
    if (typeof columnName !== 'string' || typeof type !== 'string') return undefined;
    if (!Object.hasOwn(logicalTypes, type)) return undefined;
    parsedColumns.push({ name: columnName, type: type as LogicalType });
  }
  return {
    ...clear,
    name,
    format: format as FileFormat,
    sourceName,
    rows,
    columns: parsedColumns,
    byteSize,
    chunkCount,
    lastOpenedAt,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
