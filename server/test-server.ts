/**
 * Test support: the real application on a real HTTP listener (port 0) over an in-memory PGlite
 * store, so tests speak HTTP to exactly what production runs.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Writable } from 'node:stream';
import { createApp } from './app.ts';
import { createAuditTrail } from './audit/index.ts';
import { loadConfig, type Config } from './config/index.ts';
import { createLogger } from './logging/index.ts';
import { openStore, type Store } from './store/index.ts';

export interface TestServer {
  url: string;
  config: Config;
  store: Store;
  app: ReturnType<typeof createApp>;
  /** Everything the server logged, one parsed JSON object per line. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string>;
  /** Lets a test add routes before the server listens. */
  extend?: (app: ReturnType<typeof createApp>) => void;
}

/**
 * Starts the app on an ephemeral port.
 *
 * @example
 * const server = await startTestServer();
 * const response = await fetch(`${server.url}/healthz`);
 * await server.close();
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const store = await openStore({});
  const listener: ServerType = await new Promise((resolve) => {
    const server = serve(
      { fetch: (request) => app.fetch(request), port: 0, hostname: '127.0.0.1' },
      () => resolve(server),
    );
  });
  const { port } = listener.address() as AddressInfo;
  const config = loadConfig({
    PORT: String(port),
    STATIC_DIR: './test-results/no-static-site',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const logger = createLogger({ level: config.logLevel, format: 'json', destination });
  const audit = createAuditTrail({ db: store.db, logger, mirrorToLog: config.auditLogEnabled });
  const app = createApp({ config, store, audit, logger, version: '0.0.0-test' });
  options.extend?.(app);
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    store,
    app,
    logs,
    async close() {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      await store.close();
    },
  };
}
