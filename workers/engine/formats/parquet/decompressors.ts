/**
 * The Parquet codecs beyond hyparquet's own (it reads SNAPPY and uncompressed pages itself):
 * GZIP, BROTLI, LZ4 and LZ4_RAW from hyparquet-compressors, ZSTD from fzstd. All pure
 * JavaScript. The package's ready-made `compressors` object is not used: building it compiles a
 * WebAssembly SNAPPY decoder as the module loads, which the app's CSP (no 'wasm-unsafe-eval')
 * refuses, and that refusal would kill the engine worker before it answered anything.
 */
import { decompress as decompressZstd } from 'fzstd';
import type { Compressors } from 'hyparquet';
import { decompressBrotli } from 'hyparquet-compressors/src/brotli.js';
import { gunzip } from 'hyparquet-compressors/src/gzip.js';
import { decompressLz4, decompressLz4Raw } from 'hyparquet-compressors/src/lz4.js';

/**
 * @example
 * await parquetScan({ file: bytes, metadata, compressors: decompressors });
 */
export const decompressors: Compressors = {
  GZIP: (input, outputLength) => gunzip(input, new Uint8Array(outputLength)),
  BROTLI: decompressBrotli,
  ZSTD: (input) => decompressZstd(input),
  LZ4: decompressLz4,
  LZ4_RAW: decompressLz4Raw,
};
