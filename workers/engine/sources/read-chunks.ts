/**
 * Reads what the page handed the engine (a `File`/`Blob` or bytes) in chunks, inside the worker,
 * so that neither the page nor the worker ever holds a whole large file as one string.
 *
 * A file is read through `blob.stream()`, not by slicing it and reading each slice: in Chromium
 * every `slice(…).arrayBuffer()` is a round trip to the browser process, which made reading a
 * 57 MB file take 120–440 ms. Where the stream lets us (a byte stream, as a Blob's is in Chromium
 * and Node), it is read into one buffer again and again ("bring your own buffer") rather than
 * into a new buffer per chunk: 14 ms for that file instead of 40, the difference being fresh
 * memory the worker had to fault in and collect. The browser reads ahead into its pipe on its
 * own, so reading and parsing still overlap.
 */
import { EngineError } from '../engine-error.ts';

/** 4 MiB: the chunks bytes in hand are cut into, large enough that the per-chunk cost vanishes. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** The buffer a file's byte stream is read into, over and over. */
const STREAM_BUFFER_BYTES = 1024 * 1024;

/**
 * Chunks of a file, and how many bytes they come to when the source knows: readers then size
 * their storage once instead of growing it step by step.
 *
 * @example
 * const chunks: SizedChunks = readChunks(file); // chunks.totalBytes === file.size
 */
export type SizedChunks = AsyncIterable<Uint8Array> & { readonly totalBytes?: number };

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
 * The blob's bytes as consecutive chunks. A chunk is valid until the next one is asked for: the
 * memory under it is read into again, so a reader that keeps bytes must copy them. Stops with
 * `cancelled` once the signal fires; the stream is cancelled whenever reading stops early.
 *
 * @example
 * for await (const chunk of readChunks(file, { signal })) parser.push(chunk);
 */
export function readChunks(
  blob: Blob,
  options: ReadChunksOptions = {},
): AsyncGenerator<Uint8Array> & SizedChunks {
  return Object.assign(streamChunks(blob, options), { totalBytes: blob.size });
}

/** Reads a stream into one buffer again and again when it can, else takes its own chunks. */
function readerOf(stream: ReadableStream<Uint8Array>) {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream: its chunks come in buffers of their own.
  }
  const plain = byob === null ? stream.getReader() : null;
  let buffer = new ArrayBuffer(STREAM_BUFFER_BYTES);
  return {
    async read(): Promise<Uint8Array | null> {
      if (plain !== null) {
        const result = await plain.read();
        return result.done ? null : result.value;
      }
      const result = await byob!.read(new Uint8Array(buffer));
      if (result.value !== undefined) buffer = result.value.buffer as ArrayBuffer;
      return result.done ? null : result.value;
    },
    cancel: () => (byob ?? plain)!.cancel(),
  };
}

async function* streamChunks(blob: Blob, options: ReadChunksOptions): AsyncGenerator<Uint8Array> {
  throwIfCancelled(options.signal);
  if (blob.size === 0) return;
  let reader: ReturnType<typeof readerOf>;
  try {
    reader = readerOf(blob.stream());
  } catch (error) {
    throw readFailed(error);
  }
  let position = 0;
  let finished = false;
  try {
    for (;;) {
      let chunk: Uint8Array | null;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw readFailed(error);
      }
      throwIfCancelled(options.signal);
      if (chunk === null) break;
      position += chunk.byteLength;
      options.onRead?.(position);
      yield chunk;
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
 * views of `bytes`, never copies. Each chunk after the first comes in a later task, so that a
 * message waiting for the worker (the user's cancel) is handled while the bytes are parsed: with
 * nothing to wait for, the parse would otherwise hold the worker to the end.
 *
 * @example
 * const { table } = await readCsv(chunksOf(bytes));
 */
export function chunksOf(
  bytes: Uint8Array,
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<Uint8Array> & SizedChunks {
  return Object.assign(viewsOf(bytes, chunkBytes), { totalBytes: bytes.byteLength });
}

async function* viewsOf(bytes: Uint8Array, chunkBytes: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += chunkBytes) {
    if (at > 0) await nextTask();
    yield bytes.subarray(at, Math.min(bytes.byteLength, at + chunkBytes));
  }
}

/** Resolves in a later task (a message to itself: no timer clamping, well under a millisecond). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
