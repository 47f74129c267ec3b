/**
 * Tests of reading files in chunks: every byte once and in order, progress, cancellation (which
 * also cancels the file's stream), files that fail or change while read, and bytes in hand.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../engine-error.ts';
import { chunksOf, readChunks, readWhole } from './read-chunks.ts';

function bytesOf(length: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + 7) & 0xff);
}

function joined(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** A Blob-like file whose stream hands out `pieces`, then fails or ends; it notes a cancel. */
function fakeFile(pieces: readonly Uint8Array[], options: { size?: number; failAt?: number } = {}) {
  const state = { cancelled: false, pulled: 0 };
  const file = {
    size: options.size ?? pieces.reduce((sum, piece) => sum + piece.length, 0),
    stream: () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          const index = state.pulled++;
          if (index === options.failAt) controller.error(new Error('NotReadableError'));
          else if (index < pieces.length) controller.enqueue(pieces[index]!);
          else controller.close();
        },
        cancel() {
          state.cancelled = true;
        },
      }),
  } as unknown as Blob;
  return { file, state };
}

async function errorOf(run: () => Promise<unknown>): Promise<EngineError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

describe('readChunks', () => {
  it('yields every byte of a file once, in order, telling the bytes read so far', async () => {
    const bytes = bytesOf(3_000_000);
    const seen: number[] = [];
    const chunks: Uint8Array[] = [];
    const source = readChunks(new Blob([bytes]), { onRead: (n) => seen.push(n) });
    expect(source.totalBytes).toBe(bytes.length);
    // Copied: a chunk is read into again once the next one is asked for.
    for await (const chunk of source) chunks.push(chunk.slice());
    expect(chunks.length).toBeGreaterThan(1);
    expect(joined(chunks)).toEqual(bytes);
    expect(seen).toEqual(chunks.map((_, index) => joined(chunks.slice(0, index + 1)).length));
    expect(seen.at(-1)).toBe(bytes.length);
  });

  it('reads a stream that is not a byte stream, taking its chunks as they come', async () => {
    const pieces = [bytesOf(10), bytesOf(7), bytesOf(3)];
    const chunks: Uint8Array[] = [];
    for await (const chunk of readChunks(fakeFile(pieces).file)) chunks.push(chunk);
    expect(chunks).toEqual(pieces);
  });

  it('yields nothing for an empty file', async () => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of readChunks(new Blob([]))) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });

  it('stops with cancelled once the signal fires, and cancels the stream', async () => {
    const before = new AbortController();
    before.abort();
    const untouched = fakeFile([bytesOf(10)]);
    const early = await errorOf(async () => {
      for await (const chunk of readChunks(untouched.file, { signal: before.signal })) void chunk;
    });
    expect(early.code).toBe('cancelled');
    expect(untouched.state.pulled).toBe(0);

    const during = new AbortController();
    const { file, state } = fakeFile([bytesOf(10), bytesOf(10), bytesOf(10), bytesOf(10)]);
    let read = 0;
    const late = await errorOf(async () => {
      for await (const chunk of readChunks(file, { signal: during.signal })) {
        read += chunk.length;
        if (read === 20) during.abort();
      }
    });
    expect(late.code).toBe('cancelled');
    expect(read).toBe(20);
    expect(state.cancelled).toBe(true);
  });

  it('cancels the stream when the reader stops early', async () => {
    const { file, state } = fakeFile([bytesOf(10), bytesOf(10), bytesOf(10)]);
    for await (const chunk of readChunks(file)) {
      void chunk;
      break;
    }
    expect(state.cancelled).toBe(true);
  });

  it('turns a failing read into a parse_error that says why', async () => {
    const { file } = fakeFile([bytesOf(10), bytesOf(10)], { failAt: 1 });
    const error = await errorOf(async () => {
      for await (const chunk of readChunks(file)) void chunk;
    });
    expect(error.code).toBe('parse_error');
    expect(error.message).toContain('could not be read');
    expect(error.message).toContain('NotReadableError');
  });
});

describe('readWhole', () => {
  it('reads a file into one buffer', async () => {
    const bytes = bytesOf(200_000);
    const seen: number[] = [];
    const whole = await readWhole(new Blob([bytes]), { onRead: (n) => seen.push(n) });
    expect(new Uint8Array(whole)).toEqual(bytes);
    expect(seen.at(-1)).toBe(bytes.length);
  });

  it('refuses a file whose bytes do not match its size (it changed while read)', async () => {
    for (const size of [15, 25]) {
      const { file } = fakeFile([bytesOf(10), bytesOf(10)], { size });
      const error = await errorOf(() => readWhole(file));
      expect([size, error.code, error.message]).toEqual([
        size,
        'parse_error',
        'The file changed while it was read; open it again.',
      ]);
    }
  });
});

describe('chunksOf', () => {
  it('cuts bytes in hand into views of at most the chunk size, without copying', async () => {
    const bytes = bytesOf(10);
    const chunks: Uint8Array[] = [];
    const source = chunksOf(bytes, 4);
    expect(source.totalBytes).toBe(10);
    for await (const chunk of source) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.length)).toEqual([4, 4, 2]);
    expect(chunks.every((chunk) => chunk.buffer === bytes.buffer)).toBe(true);
    expect(joined(chunks)).toEqual(bytes);
  });

  it('lets a task waiting for the worker run between chunks, so a cancel arrives', async () => {
    const order: string[] = [];
    // A message already waiting for the worker, as the user's cancel would be.
    const cancel = new MessageChannel();
    cancel.port1.onmessage = () => {
      order.push('task');
      cancel.port1.close();
    };
    cancel.port2.postMessage('cancel');
    for await (const chunk of chunksOf(bytesOf(40), 10)) order.push(`chunk ${chunk[0]}`);
    expect(order.indexOf('task')).toBeGreaterThan(0);
    expect(order.indexOf('task')).toBeLessThan(order.length - 1);
  });
});
