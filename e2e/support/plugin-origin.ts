/**
 * Where the e2e app's plugin frames come from: another site than the app (`localhost` vs
 * `127.0.0.1`). Its own module, free of test fixtures, because the Playwright config reads it too.
 */
export const PLUGIN_ORIGIN = `http://localhost:${process.env.E2E_PLUGIN_PORT ?? '18081'}`;
