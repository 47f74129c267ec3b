/**
 * Reads what the page handed the engine (a `File`/`Blob` or bytes) in chunks, inside the worker,
 * so that neither the page nor the worker ever holds a whole large file as one string.
 *
 * A file is read through `blob.stream()`, not by slicing it and reading each slice: in Chromium
 * every `slice(…).arrayBuffer()` is a round trip to the browser process, which made reading a
 * 57 MB file take 120–440 ms, where its stream takes about 30 ms. The stream reads ahead on its
 * own, so reading and parsing overlap.
 */
import { EngineError } from '../engine-error.ts';

/** 4 MiB: the chunks bytes in hand are cut into, large enough that the per-chunk cost vanishes. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

export interface ReadChunksOptions {
  readonly signal?: AbortSignal;
  /** Called after each chunk with the bytes read so far. */
  readonly onRead?: (bytesRead: number) => void;
}

/**
 * The error a load ends with when the user cancelled it.
 *
 * @example
 * if (signal.aborted) throw cancelledError();
 */
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
 * The blob's bytes as consecutive chunks, as its stream gives them (in Chromium about 1 MiB).
 * Stops with `cancelled` once the signal fires; the stream is cancelled whenever reading stops
 * early.
 *
 * @example
 * for await (const chunk of readChunks(file, { signal })) parser.push(chunk);
 */
export async function* readChunks(
  blob: Blob,
  options: ReadChunksOptions = {},
): AsyncGenerator<Uint8Array> {
  throwIfCancelled(options.signal);
  if (blob.size === 0) return;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = blob.stream().getReader();
  } catch (error) {
    throw readFailed(error);
  }
  let position = 0;
  let finished = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        throw readFailed(error);
      }
      throwIfCancelled(options.signal);
      if (result.done) break;
      position += result.value.byteLength;
      options.onRead?.(position);
      yield result.value;
    }
    finished = true;
  } finally {
    if (!finished) void reader.cancel().catch(() => undefined);
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
    if (at + chunk.byteLength > whole.length) throw changedWhileRead();
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== whole.length) throw changedWhileRead();
  return whole.buffer;
}

function changedWhileRead(): EngineError {
  return new EngineError({
    code: 'parse_error',
    message: 'The file changed while it was read; open it again.',
  });
}

/**
 * Bytes already in hand, as chunks (so the text parsers see one kind of input); the chunks are
 * views of `bytes`, never copies.
 *
 * @example
 * const { table } = await readCsv(chunksOf(bytes));
 */
export async function* chunksOf(bytes: Uint8Array, chunkBytes = CHUNK_BYTES) {
  for (let at = 0; at < bytes.byteLength; at += chunkBytes) {
    yield bytes.subarray(at, Math.min(bytes.byteLength, at + chunkBytes));
  }
}
