/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser) against the real server,
 * which serves the built app from dist/ (`npm test` builds it first) on a test port with a fresh
 * data directory, and its plugin site on a second port of another site (localhost, while the app
 * is on 127.0.0.1); beside it, a stand-in company issuer and a second server that trusts it, with
 * a plugin port of its own.
 */
import { defineConfig } from '@playwright/test';
import { PLUGIN_ORIGIN } from './e2e/support/plugin-origin.ts';
import { SERVER_LOG_PATH } from './e2e/support/server-log.ts';
import {
  ADMIN_GROUP,
  EXTERNAL_APP_PORT,
  EXTERNAL_APP_URL,
  STAND_IN_ISSUER,
} from './e2e/support/external-issuer.ts';

const port = Number(process.env.E2E_PORT ?? 18080);
const baseURL = `http://127.0.0.1:${port}`;
const externalPluginOrigin = `http://localhost:${process.env.E2E_EXTERNAL_PLUGIN_PORT ?? 18082}`;

const serverDefaults = {
  reuseExistingServer: false,
  timeout: 60_000,
  gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  stdout: 'pipe',
  stderr: 'pipe',
} as const;

/** The tests run on embedded defaults, whatever the developer's shell has set. */
const embeddedDefaults = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  STATIC_DIR: 'dist',
  PUBLIC_URL: '',
  OIDC_ISSUER_URL: '',
  OIDC_CLIENT_ID: '',
  OIDC_ADMIN_GROUP: '',
  LDAP_URL: '',
  ENCLAVE_SEED: '',
  DATABASE_URL: '',
  TLS_CERT_PATH: '',
  TLS_KEY_PATH: '',
  PLUGINS_DIR: '',
};

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: 'node --import tsx e2e/support/start-server.ts',
      url: `${baseURL}/healthz`,
      ...serverDefaults,
      env: {
        ...embeddedDefaults,
        PORT: String(port),
        PLUGIN_ORIGIN,
        // The demo users (alice, bob, carol, dave) sign in in the tests; loopback only.
        ENCLAVE_SEED: 'demo',
        // Every request is logged, to a file the no-upload test reads.
        LOG_LEVEL: 'info',
        E2E_SERVER_LOG: SERVER_LOG_PATH,
      },
    },
    // The external-issuer mode: a stand-in company issuer, and a second Enclave that trusts it.
    {
      command: 'node --import tsx e2e/support/start-stand-in-issuer.ts',
      url: `${STAND_IN_ISSUER}/.well-known/openid-configuration`,
      ...serverDefaults,
    },
    {
      command: 'node --import tsx e2e/support/start-server.ts',
      url: `${EXTERNAL_APP_URL}/healthz`,
      ...serverDefaults,
      env: {
        ...embeddedDefaults,
        PORT: String(EXTERNAL_APP_PORT),
        PLUGIN_ORIGIN: externalPluginOrigin,
        OIDC_ISSUER_URL: STAND_IN_ISSUER,
        OIDC_CLIENT_ID: 'enclave-web',
        OIDC_ADMIN_GROUP: ADMIN_GROUP,
      },
    },
  ],
});
