/**
 * Builds the SPA and its service worker into dist/. The server sends a strict CSP with every page
 * (scripts, styles and fonts from our origin only, no inline code), so the build must emit only
 * files: no inlined assets, no inline module-preload polyfill, no injected registration script.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'workers/sw',
      filename: 'sw.ts',
      // src/offline/register-service-worker.ts registers it through the Trusted Types policy.
      injectRegister: false,
      // The glob below already takes the icons; listing them twice only bloats the manifest.
      includeManifestIcons: false,
      injectManifest: {
        globPatterns: ['**/*.{html,js,css,svg,png,webmanifest}'],
        rollupFormat: 'iife',
      },
      manifest: {
        name: 'Enclave',
        short_name: 'Enclave',
        description: 'A secure workbench for scientific data that stays in your browser.',
        id: '/',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#13263d',
        background_color: '#f4f6f9',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: '/icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
    }),
  ],
  // `npm run dev` serves the app from Vite; the API stays with the server (`npm start`).
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
  // The engine worker is a module worker, so it can share chunks with the app.
  worker: { format: 'es' },
  build: {
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than our code: a chunk of their own stays cached across
        // releases, and neither chunk grows past the size that makes a first visit slow.
        codeSplitting: { groups: [{ name: 'vendor', test: /node_modules/ }] },
      },
    },
  },
});
