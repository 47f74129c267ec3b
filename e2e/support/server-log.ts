/**
 * Where the main e2e server's log is written (see `start-server.ts`), one file per test port in
 * the temp folder, so a test can read what the server logged.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const port = Number(process.env.E2E_PORT ?? 18080);

export const SERVER_LOG_PATH = path.join(os.tmpdir(), `enclave-e2e-server-${String(port)}.log`);

/**
 * Everything the main e2e server has logged so far.
 *
 * @example
 * expect(await serverLog()).not.toContain(marker);
 */
export function serverLog(): Promise<string> {
  return readFile(SERVER_LOG_PATH, 'utf8');
}
