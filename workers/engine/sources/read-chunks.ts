/**
 * Reads what the page handed the engine (a `File`/`Blob` or bytes) in chunks, inside the worker,
 * so that neither the page nor the worker ever holds a whole large file as one string. The next
 * chunk is requested while the current one is parsed, so reading and parsing overlap.
 */
import { EngineError } from '../engine-error.ts';

/** 4 MiB: large enough that the per-chunk overhead vanishes, small enough to stay responsive. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

export interface ReadChunksOptions {
  readonly signal?: AbortSignal;
  readonly chunkBytes?: number;
  /** Called after each chunk with the bytes read so far. */
  readonly onRead?: (bytesRead: number) => void;
}

/** The error a load ends with when the user cancelled it. */
export function cancelledError(): EngineError {
  return new EngineError({ code: 'cancelled', message: 'Opening the file was cancelled.' });
}

/**
 * Throws `cancelled` once the signal has fired.
 *
 * @example
 * throwIfCancelled(signal);
 */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

function readFailed(error: unknown): EngineError {
  const reason = error instanceof Error ? error.message : String(error);
  return new EngineError(
    {
      code: 'parse_error',
      message: `The file could not be read (it may have been moved, changed or deleted): ${reason}`,
    },
    { cause: error },
  );
}

/**
 * The blob's bytes as consecutive chunks.
 *
 * @example
 * for await (const chunk of readChunks(file, { signal })) parser.push(chunk);
 */
export async function* readChunks(
  blob: Blob,
  options: ReadChunksOptions = {},
): AsyncGenerator<Uint8Array> {
  const size = options.chunkBytes ?? CHUNK_BYTES;
  const read = (start: number) =>
    blob
      .slice(start, Math.min(blob.size, start + size))
      .arrayBuffer()
      .catch((error: unknown) => {
        throw readFailed(error);
      });
  let position = 0;
  let next = blob.size > 0 ? read(0) : null;
  while (next) {
    const buffer = await next;
    throwIfCancelled(options.signal);
    position += buffer.byteLength;
    next = position < blob.size ? read(position) : null;
    options.onRead?.(position);
    yield new Uint8Array(buffer);
  }
}

/**
 * The whole blob as one buffer, for formats that need random access (Parquet, Arrow IPC), read
 * in chunks so that progress can be told and the read cancelled.
 *
 * @example
 * const bytes = await readWhole(file, { onRead: (n) => report(n) });
 */
export async function readWhole(blob: Blob, options: ReadChunksOptions = {}): Promise<ArrayBuffer> {
  const whole = new Uint8Array(blob.size);
  let at = 0;
  for await (const chunk of readChunks(blob, options)) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole.buffer;
}

/**
 * Bytes already in hand, as chunks (so the text parsers see one kind of input).
 *
 * @example
 * readChunks(new Blob([bytes]))
 */
export async function* chunksOf(bytes: Uint8Array, chunkBytes = CHUNK_BYTES) {
  for (let at = 0; at < bytes.byteLength; at += chunkBytes) {
    yield bytes.subarray(at, Math.min(bytes.byteLength, at + chunkBytes));
  }
}
