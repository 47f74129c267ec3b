/**
 * Starts the Enclave server for the end-to-end tests on a data directory of its own, and removes
 * that directory when the server has stopped, so test runs neither share state nor leave
 * databases behind in the temp folder.
 *
 * Playwright signals the whole process group, server included, on teardown: this wrapper only
 * waits for the server to close its store, then cleans up.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** How long the server may take to close its store before it is killed. */
const STOP_GRACE_MS = 10_000;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'enclave-e2e-'));
const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  env: { ...process.env, DATA_DIR: dataDir },
  stdio: 'inherit',
});

function stopping(): void {
  setTimeout(() => server.kill('SIGKILL'), STOP_GRACE_MS).unref();
}
process.on('SIGTERM', stopping);
process.on('SIGINT', stopping);

server.on('exit', (code, signal) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
