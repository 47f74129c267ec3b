/**
 * Reads Parquet files into the engine's model with hyparquet (plus `decompressors.ts` for gzip,
 * brotli, zstd, LZ4): pure JavaScript, no WebAssembly, so the app's Content Security Policy needs
 * no 'wasm-unsafe-eval'. The file is read row group by row group and column by
 * column through hyparquet's column-oriented scan, straight into arrays sized for the whole file,
 * with progress told and cancellation honoured between column chunks.
 *
 * Types come from the schema (see `parquet-columns.ts`): ints (8–32 bit as Int32, unsigned 32 as
 * Uint32, INT64 as numbers with a `precision-lost` warning beyond ±2^53), FLOAT/DOUBLE, BOOLEAN,
 * strings (a category when they repeat), DATE, TIMESTAMP and INT96 (UTC milliseconds; nanoseconds
 * kept to the microsecond), DECIMAL and FLOAT16 (numbers). Nested columns, geometries and raw
 * binary become text (JSON, GeoJSON, hex) with a `type-widened` warning.
 *
 * A damaged file is a `parse_error`, never a hang: the page headers are checked before hyparquet
 * reads them (`page-headers.ts`), since a damaged one can send it round in circles.
 */
import { parquetMetadata, parquetSchema, parquetScan, type FileMetaData } from 'hyparquet';
import type { Column, ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import type { LoadWarning } from '../../protocol.ts';
import { throwIfCancelled } from '../../sources/read-chunks.ts';
import { decompressors } from './decompressors.ts';
import { checkPageHeaders } from './page-headers.ts';
import { planColumn, sinkFor, type ColumnPlan } from './parquet-columns.ts';

export interface ReadParquetOptions {
  readonly signal?: AbortSignal;
  /** Called after each row group with the rows read so far. */
  readonly onProgress?: (rows: number) => void;
}

export interface ParquetTable {
  readonly table: ColumnTable;
  readonly warnings: LoadWarning[];
}

const MAX_ROWS = 4_294_967_295;

/** What the value parsers met while a column was read, reset before each column chunk. */
interface ParseFlags {
  nanosecondsDropped: boolean;
  invalidUtf8: boolean;
}

function parsersFor(flags: ParseFlags) {
  const strict = new TextDecoder('utf-8', { fatal: true });
  const lenient = new TextDecoder();
  const decode = (bytes: Uint8Array | undefined) => {
    if (!bytes) return bytes;
    try {
      return strict.decode(bytes);
    } catch {
      flags.invalidUtf8 = true;
      return lenient.decode(bytes);
    }
  };
  return {
    timestampFromMilliseconds: (millis: bigint) => Number(millis),
    timestampFromMicroseconds: (micros: bigint) => Number(micros) / 1000,
    timestampFromNanoseconds: (nanos: bigint) => {
      if (nanos % 1000n !== 0n) flags.nanosecondsDropped = true;
      return Number(nanos / 1000n) / 1000;
    },
    dateFromDays: (days: number) => days,
    stringFromBytes: decode,
    // JSON columns stay the text they are; the model has no JSON type.
    jsonFromBytes: decode,
  };
}

function unreadable(error: unknown): EngineError {
  const reason = error instanceof Error ? error.message : String(error);
  return new EngineError(
    {
      code: 'parse_error',
      message: `This Parquet file could not be read; it is damaged or not Parquet (${reason}).`,
    },
    { cause: error },
  );
}

function startsWithMagic(bytes: ArrayBuffer): boolean {
  if (bytes.byteLength < 12) return false;
  const head = new Uint8Array(bytes, 0, 4);
  return head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
}

function readMetadata(bytes: ArrayBuffer, parsers: ReturnType<typeof parsersFor>): FileMetaData {
  if (!startsWithMagic(bytes)) {
    throw new EngineError({
      code: 'parse_error',
      message: 'This file is not Parquet: it does not start with "PAR1".',
      offset: 0,
    });
  }
  try {
    return parquetMetadata(bytes, { parsers });
  } catch (error) {
    throw unreadable(error);
  }
}

function noteOf(plan: ColumnPlan): Omit<LoadWarning, 'column'> | undefined {
  return plan.sink === 'bool' || plan.sink === 'text' ? undefined : plan.note;
}

/**
 * The table in a Parquet file and what reading it found worth telling.
 *
 * @example
 * const { table, warnings } = await readParquet(await file.arrayBuffer(), { signal });
 */
export async function readParquet(
  bytes: ArrayBuffer,
  options: ReadParquetOptions = {},
): Promise<ParquetTable> {
  const { signal, onProgress } = options;
  throwIfCancelled(signal);
  const flags: ParseFlags = { nanosecondsDropped: false, invalidUtf8: false };
  const parsers = parsersFor(flags);
  const metadata = readMetadata(bytes, parsers);
  checkPageHeaders(new Uint8Array(bytes), metadata);
  const warnings: LoadWarning[] = [];
  try {
    const nodes = parquetSchema(metadata).children;
    const scan = await parquetScan({ file: bytes, metadata, compressors: decompressors, parsers });
    const rows = scan.ranges.at(-1)?.rowEnd ?? 0;
    if (rows > MAX_ROWS) {
      throw new EngineError({
        code: 'too_large',
        message: `This file has ${rows} rows; at most ${MAX_ROWS} can be opened here.`,
      });
    }
    const plans = nodes.map(planColumn);
    const sinks = plans.map((plan) => sinkFor(plan, rows));
    const told = nodes.map(() => new Set<LoadWarning['kind']>());
    const warn = (index: number, warning: Omit<LoadWarning, 'column'>) => {
      if (told[index]!.has(warning.kind)) return;
      told[index]!.add(warning.kind);
      warnings.push({ ...warning, column: nodes[index]!.element.name });
    };
    plans.forEach((plan, index) => {
      const note = noteOf(plan);
      if (note) warn(index, note);
    });

    for (const { rowStart, rowEnd } of scan.ranges) {
      for (let index = 0; index < nodes.length; index++) {
        throwIfCancelled(signal);
        const column = nodes[index]!.element.name;
        flags.nanosecondsDropped = false;
        flags.invalidUtf8 = false;
        const values = await scan.readColumn({ column, rowStart, rowEnd });
        if (values.length !== rowEnd - rowStart) {
          throw unreadable(
            new Error(
              `column "${column}" has ${values.length} values for ${rowEnd - rowStart} rows`,
            ),
          );
        }
        const firstRounded = sinks[index]!.write(values, rowStart);
        if (firstRounded >= 0) {
          warn(index, {
            kind: 'precision-lost',
            message: `Some whole numbers (the first in row ${firstRounded + 1}) are beyond ±2^53 and were rounded to the nearest number that can be held.`,
          });
        }
        if (flags.nanosecondsDropped) {
          warn(index, {
            kind: 'precision-lost',
            message: 'Times are kept to the microsecond; the nanoseconds below that were dropped.',
          });
        }
        if (flags.invalidUtf8) {
          warn(index, {
            kind: 'invalid-utf8',
            message: 'Some text is not valid UTF-8; the bad bytes were replaced with "�".',
          });
        }
      }
      onProgress?.(rowEnd);
    }
    const columns: Column[] = nodes.map((node, index) => ({
      name: node.element.name,
      data: sinks[index]!.finish(),
    }));
    return { table: { columns, length: rows }, warnings };
  } catch (error) {
    if (error instanceof EngineError) throw error;
    if (error instanceof RangeError && /2 GiB/.test(error.message)) {
      throw new EngineError({ code: 'too_large', message: error.message }, { cause: error });
    }
    throw unreadable(error);
  }
}
