/**
 * Serves the built SPA: files from the build folder, and `index.html` for every other page path
 * so that client-side routes load on reload. Hashed assets are cached for a year; the document and
 * the service worker are revalidated on every load so an update reaches users at once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

export interface StaticSiteOptions {
  /** Folder with `index.html` and the built assets. */
  root: string;
}

const immutableAsset = /^\/assets\//;

/** Paths that belong to the server (the API, the built-in provider), never to the SPA. */
const serverPaths = /^\/(api|oidc)(\/|$)/;

/**
 * The built plugins and their runtime sit in the build folder too, but they belong to the plugin
 * site (another origin, with the plugin CSP): on the app's origin they would run as the app.
 */
const pluginBuildPaths = /^\/(plugins|plugin-runtime)\//;

function isPagePath(requestPath: string): boolean {
  return !serverPaths.test(requestPath) && path.posix.extname(requestPath) === '';
}

/**
 * The static site, mounted last so that API routes take precedence.
 *
 * @example
 * app.route('/', staticSite({ root: config.staticDir }));
 */
export function staticSite(options: StaticSiteOptions) {
  const site = new Hono();
  if (!existsSync(path.join(options.root, 'index.html'))) return site;
  const cacheHeaders = (filePath: string, c: { header: (name: string, value: string) => void }) => {
    const relative = `/${path.relative(options.root, filePath).split(path.sep).join('/')}`;
    c.header(
      'Cache-Control',
      immutableAsset.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
  };
  const serveBuild = serveStatic({ root: options.root, onFound: cacheHeaders });
  site.use('*', (c, next) => (pluginBuildPaths.test(c.req.path) ? next() : serveBuild(c, next)));
  site.get('*', async (c, next) => {
    if (!isPagePath(c.req.path)) return next();
    return serveStatic({ root: options.root, path: 'index.html', onFound: cacheHeaders })(c, next);
  });
  return site;
}
