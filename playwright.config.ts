/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser) against the real server,
 * which serves the built app from dist/ (`npm test` builds it first) on a test port with a fresh
 * data directory.
 */
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 18080);
const baseURL = `http://127.0.0.1:${port}`;

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
  webServer: {
    command: 'node --import tsx e2e/support/start-server.ts',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      STATIC_DIR: 'dist',
      // The tests run on embedded defaults, whatever the developer's shell has set.
      PUBLIC_URL: '',
      OIDC_ISSUER_URL: '',
      OIDC_CLIENT_ID: '',
      LDAP_URL: '',
      // The demo users (alice, bob, carol, dave) sign in in the tests; loopback only.
      ENCLAVE_SEED: 'demo',
      DATABASE_URL: '',
      TLS_CERT_PATH: '',
      TLS_KEY_PATH: '',
    },
  },
});
