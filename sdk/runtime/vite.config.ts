/**
 * Builds the frame runtime into dist/plugin-runtime/: exactly `enclave-runtime.js` (one classic
 * IIFE script, no chunks) and `enclave-runtime.css`. The plugin origin's CSP allows those two
 * URLs and no inline code or eval, so nothing may be inlined or split. The app's build owns the
 * rest of dist/, so this one must not empty it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: here('../../dist/plugin-runtime'),
    emptyOutDir: false,
    assetsInlineLimit: 0,
    sourcemap: false,
    minify: true,
    target: 'es2022',
    cssCodeSplit: false,
    modulePreload: false,
    lib: {
      entry: here('enclave-runtime.ts'),
      formats: ['iife'],
      name: 'EnclaveRuntime',
      fileName: () => 'enclave-runtime.js',
      cssFileName: 'enclave-runtime',
    },
    rolldownOptions: {
      output: { codeSplitting: false },
    },
  },
});
