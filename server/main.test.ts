import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from './audit/index.ts';
import { openStore } from './store/index.ts';

const entry = fileURLToPath(new URL('./main.ts', import.meta.url));

interface RunningServer {
  child: ChildProcess;
  port: number;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  stderr(): string;
}

function startServer(env: Record<string, string>): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      PORT: '0',
      PLUGIN_ORIGIN: 'http://localhost:0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete.filter(Boolean)) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        if (typeof parsed.msg === 'string' && parsed.msg.startsWith('Enclave listening')) {
          resolve({ child, port: parsed.port as number, lines, exited, stderr: () => stderr });
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) =>
      reject(new Error(`server exited ${code} before listening: ${stderr}`)),
    );
  });
}

describe('the server process', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-main-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('closes the store cleanly on SIGTERM and starts again on the same data', async () => {
    const server = await startServer({ DATA_DIR: dataDir });
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(health.status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.lines.map((line) => line.msg)).toContain('store closed, bye');

    const keyLine = server.lines.find((line) => line.msg === 'token signing key ready');
    expect(keyLine).toMatchObject({ alg: 'ES256', origin: 'generated' });
    const passwordFile = path.join(dataDir, 'initial-admin-password');
    const password = (await readFile(passwordFile, 'utf8')).trim();
    expect(server.stderr()).toContain(password);
    expect(JSON.stringify(server.lines)).not.toContain(password);

    const again = await startServer({ DATA_DIR: dataDir });
    expect(again.stderr()).not.toContain('password');
    expect(again.lines.find((line) => line.msg === 'token signing key ready')).toMatchObject({
      kid: keyLine?.kid,
      origin: 'data-dir',
    });
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);

    const store = await openStore({ dataDir });
    const actions = await store.rows<{ action: string }>(
      sql`select action from audit_events order by seq`,
    );
    expect(actions.map((row) => row.action)).toEqual([
      'user.create',
      'system.start',
      'system.stop',
      'system.start',
      'system.stop',
    ]);
    await expect(verifyAuditChain(store.db)).resolves.toEqual({ ok: true, events: 5 });
    await store.close();
  });

  it('serves the plugin site on a second listener and closes it on SIGTERM', async () => {
    const server = await startServer({
      DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'enclave-main-plugins-')),
    });
    const announced = async () => {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const line = server.lines.find(
          (candidate) =>
            typeof candidate.msg === 'string' && candidate.msg.startsWith('plugin site listening'),
        );
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the plugin site did not announce itself');
    };
    const pluginPort = (await announced()).port as number;
    expect(pluginPort).not.toBe(server.port);
    const response = await fetch(`http://127.0.0.1:${String(pluginPort)}/healthz`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toMatch(
      /^sandbox allow-scripts; default-src 'none'/,
    );
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const app = await fetch(`http://127.0.0.1:${String(server.port)}/healthz`);
    expect(app.status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${String(pluginPort)}/`)).rejects.toThrow();
  });

  it('speaks TLS with HSTS when a certificate is configured', async () => {
    const certPath = path.join(dataDir, 'cert.pem');
    const keyPath = path.join(dataDir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const server = await startServer({
      DATA_DIR: path.join(dataDir, 'tls'),
      TLS_CERT_PATH: certPath,
      TLS_KEY_PATH: keyPath,
    });
    const ca = await readFile(certPath);
    const headers = await new Promise<Record<string, string | string[] | undefined>>(
      (resolve, reject) => {
        https
          .get(`https://127.0.0.1:${server.port}/healthz`, { ca }, (response) => {
            response.resume();
            resolve({ status: String(response.statusCode), ...response.headers });
          })
          .on('error', reject);
      },
    );
    expect(headers.status).toBe('200');
    expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses to start on a bad setting, naming it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...process.env, PORT: 'eighty', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT');
  });
});
