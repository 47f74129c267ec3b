/**
 * Starts the Enclave server for the end-to-end tests on a data directory of its own, and removes
 * that directory when the server has stopped, so test runs neither share state nor leave
 * databases behind in the temp folder.
 *
 * When `E2E_SERVER_LOG` names a file, everything the server logs is written there, so a test can
 * read the server's log (e.g. to prove a file's content never reached it), and only its warnings
 * and errors are passed on to the test run's output.
 *
 * Its plugins come from a temporary copy of the built first-party plugins plus the e2e fixtures
 * (`plugin-fixtures.ts`), so a test can change a plugin's files on disk after the server started.
 *
 * Playwright signals the whole process group, server included, on teardown: this wrapper only
 * waits for the server to close its store, then cleans up.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { preparePluginsDir } from './plugin-fixtures.ts';

/** How long the server may take to close its store before it is killed. */
const STOP_GRACE_MS = 10_000;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'enclave-e2e-'));
const pluginsDir = preparePluginsDir(Number(process.env.PORT));
const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  env: { ...process.env, DATA_DIR: dataDir, PLUGINS_DIR: pluginsDir },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const logFile = process.env.E2E_SERVER_LOG ? createWriteStream(process.env.E2E_SERVER_LOG) : null;

/** pino's level of a JSON log line; lines that are not JSON (start-up notices) count as warnings. */
function levelOf(line: string): number {
  try {
    const { level } = JSON.parse(line) as { level?: unknown };
    return typeof level === 'number' ? level : 40;
  } catch {
    return 40;
  }
}

// The whole log goes to the file; the test run's own output shows warnings and worse only, so
// that a request log kept for the no-upload test does not bury what went wrong.
const WARN = 40;
server.stderr.pipe(process.stderr);
server.stderr.on('data', (chunk: Buffer) => logFile?.write(chunk));
let partial = '';
server.stdout.on('data', (chunk: Buffer) => {
  logFile?.write(chunk);
  const lines = (partial + chunk.toString('utf8')).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (!logFile || levelOf(line) >= WARN) process.stdout.write(`${line}\n`);
  }
});

function stopping(): void {
  setTimeout(() => server.kill('SIGKILL'), STOP_GRACE_MS).unref();
}
process.on('SIGTERM', stopping);
process.on('SIGINT', stopping);

server.on('exit', (code, signal) => {
  logFile?.end();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(pluginsDir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
