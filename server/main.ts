/**
 * The Enclave server process: reads the configuration, opens the store (applying migrations),
 * serves the app and its API on PORT and the plugin site on PLUGIN_ORIGIN's port (a second
 * listener, another site), and on SIGTERM or SIGINT stops taking requests on both and closes
 * the store cleanly.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.ts';
import { createAuditTrail, scheduleAuditRetention } from './audit/index.ts';
import { clientAddress } from './client-address/index.ts';
import { ConfigError, loadConfig } from './config/index.ts';
import {
  SigningKeyError,
  createIdentity,
  ensureInitialAdmin,
  loadLdapSettings,
  loadSigningKey,
  seedDemoUsers,
} from './identity/index.ts';
import { HostAllowList } from './data-sources/index.ts';
import { KeyringError, loadKeyring } from './keyring/index.ts';
import { createLogger } from './logging/index.ts';
import { createPluginSite } from './plugin-site/index.ts';
import { createPluginRegistry } from './plugins/index.ts';
import { openStore } from './store/index.ts';

const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

async function main(): Promise<void> {
  let config;
  let ldap;
  try {
    config = loadConfig(process.env);
    ldap = loadLdapSettings(process.env);
    if (ldap && config.externalIssuer) {
      throw new ConfigError(
        'LDAP_URL: LDAP sign-in belongs to the built-in provider, which OIDC_ISSUER_URL switches off; set one of the two.',
      );
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  let signingKey;
  try {
    signingKey = await loadSigningKey({
      dataDir: config.dataDir,
      privateKeyPath: config.jwtPrivateKeyPath,
    });
  } catch (error) {
    if (error instanceof SigningKeyError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  logger.info(
    { kid: signingKey.kid, alg: signingKey.alg, origin: signingKey.origin },
    'token signing key ready',
  );
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onConnectionError: (error) =>
      logger.warn({ err: error }, 'the database dropped a pooled connection; opening a new one'),
  });
  logger.info(
    { store: store.kind, dataDir: store.kind === 'pglite' ? config.dataDir : undefined },
    'store open, migrations applied',
  );
  const audit = createAuditTrail({ db: store.db, logger, mirrorToLog: config.auditLogEnabled });
  // With an external issuer nobody signs in with an Enclave password, so no first admin is made:
  // administrators come from OIDC_ADMIN_GROUP.
  const initialAdmin = config.externalIssuer
    ? null
    : await ensureInitialAdmin({ db: store.db, audit, dataDir: config.dataDir });
  if (initialAdmin) {
    // Printed once, on the terminal rather than into the structured log that may be shipped
    // elsewhere; the file keeps it until the admin has signed in and changed it.
    process.stderr.write(
      `\nEnclave created the administrator account "admin" with the password:\n\n` +
        `    ${initialAdmin.password}\n\n` +
        `It is also in ${initialAdmin.file} (readable by this user only). ` +
        `You will be asked to change it at first sign-in.\n\n`,
    );
  }
  if (config.seed === 'demo') {
    const seeded = await seedDemoUsers({ db: store.db, audit });
    logger.warn(
      { created: seeded.map((account) => account.username) },
      'demo users present (alice, bob, carol, dave; password <name>-demo-password): for demos on this machine only',
    );
  }
  const identity = createIdentity({
    config,
    store,
    audit,
    logger,
    signingKey,
    ldap,
    clientAddress: (c) => clientAddress(c, config.trustProxyHops),
  });
  logger.info(
    {
      issuer: config.oidcIssuer,
      builtIn: !config.externalIssuer,
      ldap: ldap ? ldap.url : undefined,
    },
    'identity ready',
  );
  let keyring;
  try {
    keyring = await loadKeyring({ masterKeyPath: config.masterKeyPath });
  } catch (error) {
    if (error instanceof KeyringError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (config.connectionAllowedHosts === HostAllowList.ANY) {
    logger.warn(
      'CONNECTION_ALLOWED_HOSTS is unset: connections may name any host this server can reach; set it in production',
    );
  }
  if (keyring.masterKeyOrigin === 'generated') {
    logger.warn(
      { masterKeyPath: config.masterKeyPath },
      'generated a new master key: back it up, without it stored credentials and datasets cannot be opened',
    );
  }
  const plugins = createPluginRegistry({ pluginsDir: config.pluginsDir, db: store.db, logger });
  await plugins.ready();
  const app = createApp({
    config,
    store,
    audit,
    logger,
    identity,
    keyring,
    version: packageJson.version,
    plugins,
  });
  const pluginSite = createPluginSite({
    store,
    audit,
    logger,
    registry: plugins,
    pluginOrigin: config.pluginOrigin,
    publicUrl: config.publicUrl,
    runtimeDir: config.pluginRuntimeDir,
  });

  const tlsOptions = config.tls
    ? { cert: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) }
    : undefined;
  const listen = (fetch: typeof app.fetch, port: number): Promise<ServerType> =>
    new Promise((resolve, reject) => {
      const listening = serve(
        {
          fetch,
          port,
          hostname: config.host,
          ...(tlsOptions ? { createServer: createHttpsServer, serverOptions: tlsOptions } : {}),
        },
        () => resolve(listening),
      );
      listening.once('error', reject);
    });
  const server = await listen(app.fetch, config.port);
  const pluginServer = await listen(pluginSite.fetch, config.pluginPort);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  await audit.record({
    action: 'system.start',
    resourceType: 'system',
    outcome: 'ok',
    actorClient: 'server',
    details: { version: packageJson.version, store: store.kind },
  });
  // Archiving runs beside serving: a first run over a long trail must not delay start.
  const retention = scheduleAuditRetention({
    db: store.db,
    audit,
    logger,
    retentionDays: config.auditRetentionDays,
    archiveDir: config.auditArchiveDir,
  });
  logger.info(
    { url: config.publicUrl, host: config.host, port, tls: Boolean(config.tls) },
    `Enclave listening on ${config.tls ? 'https' : 'http'}://${config.host}:${port}`,
  );
  const pluginAddress = pluginServer.address();
  const pluginPort =
    typeof pluginAddress === 'object' && pluginAddress ? pluginAddress.port : config.pluginPort;
  logger.info(
    { pluginOrigin: config.pluginOrigin, host: config.host, port: pluginPort },
    `plugin site listening on ${config.host}:${String(pluginPort)} for ${config.pluginOrigin}`,
  );

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await retention?.stop();
    await Promise.all(
      [server, pluginServer].map(
        (listener) =>
          new Promise<void>((resolve) => {
            listener.close(() => resolve());
            if ('closeIdleConnections' in listener) listener.closeIdleConnections();
          }),
      ),
    );
    try {
      await audit.record({
        action: 'system.stop',
        resourceType: 'system',
        outcome: 'ok',
        actorClient: 'server',
        details: { signal },
      });
    } finally {
      await store.close();
    }
    logger.info('store closed, bye');
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

main().catch((error: unknown) => {
  console.error('Enclave failed to start:', error);
  process.exit(1);
});
