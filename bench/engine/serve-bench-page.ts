/**
 * Builds the bench page with Vite (production mode, module workers, as the app is built) into a
 * scratch folder and serves it from a tiny static server on a free local port. A build rather
 * than the dev server: the engine then runs as the app ships it, bundled and minified.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

export interface ServedBenchPage {
  readonly url: string;
  close(): Promise<void>;
}

export interface ServeBenchPageOptions {
  /**
   * Where the build goes; by default a fresh folder under the system's temp directory (so two
   * runs at once do not build over each other), removed again on close.
   */
  readonly outDir?: string;
}

/**
 * Builds and serves the bench page.
 *
 * @example
 * const served = await serveBenchPage();
 * await page.goto(served.url);
 * await served.close();
 */
export async function serveBenchPage(
  options: ServeBenchPageOptions = {},
): Promise<ServedBenchPage> {
  const root = fileURLToPath(new URL('.', import.meta.url));
  const scratch = options.outDir ? null : await mkdtemp(join(tmpdir(), 'enclave-bench-engine-'));
  const outDir = options.outDir ?? scratch!;
  await build({
    root,
    configFile: false,
    base: './',
    publicDir: false,
    logLevel: 'warn',
    worker: { format: 'es' },
    build: {
      outDir,
      emptyOutDir: true,
      assetsInlineLimit: 0,
      reportCompressedSize: false,
      chunkSizeWarningLimit: Number.MAX_SAFE_INTEGER,
    },
  });

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = normalize(join(outDir, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(outDir + sep)) {
      response.writeHead(403).end();
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) throw new Error('not a file');
        response.writeHead(200, {
          'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Length': info.size,
          'Cache-Control': 'no-store',
          // As the app's server sends it; no COEP, so the page is not cross-origin isolated
          // either (DuckDB's threaded bundle is out of reach, as in the app).
          'Cross-Origin-Opener-Policy': 'same-origin',
        });
        createReadStream(file).pipe(response);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (scratch) await rm(scratch, { recursive: true, force: true });
    },
  };
}
