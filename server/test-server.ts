/**
 * Test support: the real application on a real HTTP listener (port 0) over an in-memory PGlite
 * store (or the given one), with its identity wired as in production, so tests speak HTTP to
 * exactly what production runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.ts';
import { createAuditTrail, type AuditTrail } from './audit/index.ts';
import { clientAddress } from './client-address/index.ts';
import { loadConfig, type Config } from './config/index.ts';
import {
  createIdentity,
  loadLdapSettings,
  loadSigningKey,
  seedDemoUsers,
  type SigningKey,
} from './identity/index.ts';
import { loadKeyring } from './keyring/index.ts';
import { createLogger } from './logging/index.ts';
import { openStore, type Store } from './store/index.ts';

export interface TestServer {
  url: string;
  config: Config;
  store: Store;
  audit: AuditTrail;
  signingKey: SigningKey;
  app: ReturnType<typeof createApp>;
  /** Everything the server logged, one parsed JSON object per line. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Environment variables on top of the test defaults (`ENCLAVE_SEED=demo` seeds the demo users). */
  env?: Record<string, string>;
  /** Lets a test add routes before the server listens. */
  extend?: (app: ReturnType<typeof createApp>) => void;
  /** A store to use instead of a fresh in-memory PGlite; the test (not `close()`) closes it. */
  store?: Store;
  /** A port to listen on (a restarted server takes its predecessor's); default a free one. */
  port?: number;
  /** A folder whose signing key to use (shared by restarted or sibling servers); default a new one. */
  keyDir?: string;
  /** The least time between two fetches of an external issuer's JWKS; default jose's 30 s. */
  jwksCooldownMs?: number;
}

/**
 * Starts the app on an ephemeral port.
 *
 * @example
 * const server = await startTestServer({ env: { ENCLAVE_SEED: 'demo' } });
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
  const store = options.store ?? (await openStore({}));
  const keyDir = options.keyDir ?? (await mkdtemp(path.join(os.tmpdir(), 'enclave-test-key-')));
  const signingKey = await loadSigningKey({ dataDir: keyDir });
  // The listener comes first (its port is part of the configuration); the app joins it after.
  const ready: { app?: ReturnType<typeof createApp> } = {};
  const listener: ServerType = await new Promise((resolve) => {
    const server = serve(
      {
        fetch: (request, env) =>
          ready.app ? ready.app.fetch(request, env) : new Response('starting', { status: 503 }),
        port: options.port ?? 0,
        hostname: '127.0.0.1',
      },
      () => resolve(server),
    );
  });
  const { port } = listener.address() as AddressInfo;
  const environment = {
    PORT: String(port),
    STATIC_DIR: './test-results/no-static-site',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const config = loadConfig(environment);
  const logger = createLogger({ level: config.logLevel, format: 'json', destination });
  const audit = createAuditTrail({ db: store.db, logger, mirrorToLog: config.auditLogEnabled });
  if (config.seed === 'demo') await seedDemoUsers({ db: store.db, audit });
  const keyring = await loadKeyring({ masterKeyPath: path.join(keyDir, 'keys', 'master.key') });
  const identity = createIdentity({
    config,
    store,
    audit,
    logger,
    signingKey,
    ldap: loadLdapSettings(environment),
    clientAddress: (c) => clientAddress(c, config.trustProxyHops),
    jwksCooldownMs: options.jwksCooldownMs,
  });
  const app = createApp({
    config,
    store,
    audit,
    logger,
    identity,
    keyring,
    version: '0.0.0-test',
  });
  options.extend?.(app);
  ready.app = app;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    store,
    audit,
    signingKey,
    app,
    logs,
    async close() {
      await new Promise<void>((resolve) => {
        listener.close(() => resolve());
        if ('closeAllConnections' in listener) listener.closeAllConnections();
      });
      if (!options.store) await store.close();
      if (!options.keyDir) await rm(keyDir, { recursive: true, force: true });
    },
  };
}
