/**
 * Tests of the codecs beyond hyparquet's own on inputs written by the reference tools (the `zstd`
 * and `lz4` command-line programs, level 19 and 9, embedded here) and by node's zlib, so each
 * decoder is shown to read what real writers write, not only what our test writers make.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressors } from './decompressors.ts';

const text =
  'enclave parquet codec test: the quick brown fox jumps over the lazy dog; the quick brown fox jumps again.';
const plain = new TextEncoder().encode(text);

function base64(encoded: string): Uint8Array {
  return Uint8Array.from(Buffer.from(encoded, 'base64'));
}

/** `zstd -19 payload.txt`: a frame with compressed (not raw) blocks. */
const ZSTD_FRAME = base64(
  'KLUv/SRpTQIAkoQPEZB9UPpD6Q+tdLu7XixObs8B4KmBhkDQuN6jzb/QaXR2eYbHH4aTOCvKSv9UPVT61csbWLy+lXNE/ztaeR8CAFCFo0JQUCrm+W4=',
);

/** The one block of `lz4 -9 payload.txt`, with matches (the frame around it taken off). */
const LZ4_BLOCK = base64(
  '8StlbmNsYXZlIHBhcnF1ZXQgY29kZWMgdGVzdDogdGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyHwCfbGF6eSBkb2c7LQAIYGFnYWluLg==',
);

/** Hadoop's framing of LZ4 (Parquet's deprecated `LZ4` codec): sizes, big-endian, then a block. */
function hadoopFramed(block: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(8 + block.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, size);
  view.setUint32(4, block.length);
  out.set(block, 8);
  return out;
}

describe('decompressors', () => {
  it('reads every codec the reader claims', () => {
    const length = plain.length;
    expect(decompressors.GZIP!(gzipSync(plain), length)).toEqual(plain);
    expect(decompressors.BROTLI!(brotliCompressSync(plain), length)).toEqual(plain);
    expect(decompressors.ZSTD!(ZSTD_FRAME, length)).toEqual(plain);
    expect(decompressors.LZ4_RAW!(LZ4_BLOCK, length)).toEqual(plain);
    expect(decompressors.LZ4!(hadoopFramed(LZ4_BLOCK, length), length)).toEqual(plain);
    expect(decompressors.LZ4!(LZ4_BLOCK, length)).toEqual(plain);
  });

  it('names no codec it cannot read', () => {
    expect(Object.keys(decompressors).sort()).toEqual(['BROTLI', 'GZIP', 'LZ4', 'LZ4_RAW', 'ZSTD']);
  });
});
