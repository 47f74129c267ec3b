/**
 * Test support: the API test server (demo users signed in) and the plugin site on a listener of
 * its own, over one store and one plugins folder, as `main.ts` wires them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { createLogger } from '../logging/index.ts';
import { createPluginRegistry, type PluginRegistry } from '../plugins/index.ts';
import type { Store } from '../store/index.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';
import { createPluginSite } from './plugin-site.ts';

export interface PluginTestServers {
  api: ApiTestServer;
  /** Where the test reaches the plugin site (`http://127.0.0.1:<port>`). */
  siteUrl: string;
  /** The configured `PLUGIN_ORIGIN` (`http://localhost:<port>`), as CSPs and launch URLs name it. */
  pluginOrigin: string;
  pluginsDir: string;
  /** The plugin site's own registry (the API's is another over the same folder and store). */
  registry: PluginRegistry;
  /** What the plugin site logged. */
  siteLogs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface PluginTestServersOptions {
  /** The bundled plugins' folder; default an empty temporary one. */
  pluginsDir?: string;
  /** The runtime's folder; default one that does not exist. */
  runtimeDir?: string;
  store?: Store;
}

/**
 * Starts both listeners.
 *
 * @example
 * const servers = await startPluginTestServers({ pluginsDir });
 * const launch = await servers.api.call('bob', 'POST', '/plugins/test.plugin/launch', {});
 */
export async function startPluginTestServers(
  options: PluginTestServersOptions = {},
): Promise<PluginTestServers> {
  const pluginsDir =
    options.pluginsDir ?? (await mkdtemp(path.join(os.tmpdir(), 'enclave-test-plugins-')));
  const ready: { fetch?: (request: Request) => Response | Promise<Response> } = {};
  const listener: ServerType = await new Promise((resolve) => {
    const server = serve(
      {
        fetch: (request) =>
          ready.fetch ? ready.fetch(request) : new Response('starting', { status: 503 }),
        port: 0,
        hostname: '127.0.0.1',
      },
      () => resolve(server),
    );
  });
  const { port } = listener.address() as AddressInfo;
  const pluginOrigin = `http://localhost:${String(port)}`;
  const api = await startApiTestServer({
    env: { PLUGIN_ORIGIN: pluginOrigin, PLUGINS_DIR: pluginsDir },
    ...(options.store ? { store: options.store } : {}),
  });
  const siteLogs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    format: 'json',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          siteLogs.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    }),
  });
  const registry = createPluginRegistry({ pluginsDir, db: api.server.store.db, logger });
  await registry.ready();
  const site = createPluginSite({
    store: api.server.store,
    audit: api.server.audit,
    logger,
    registry,
    pluginOrigin,
    publicUrl: api.server.config.publicUrl,
    runtimeDir: options.runtimeDir ?? path.join(pluginsDir, 'no-runtime-here'),
  });
  ready.fetch = (request) => site.fetch(request);
  return {
    api,
    siteUrl: `http://127.0.0.1:${String(port)}`,
    pluginOrigin,
    pluginsDir,
    registry,
    siteLogs,
    async close() {
      await new Promise<void>((resolve) => {
        listener.close(() => resolve());
        if ('closeAllConnections' in listener) listener.closeAllConnections();
      });
      await api.close();
      if (!options.pluginsDir) await rm(pluginsDir, { recursive: true, force: true });
    },
  };
}
