/**
 * The SDK is published on its own: its build must emit the JavaScript and the type declarations
 * that `package.json` points at, and the declarations must carry the public API.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const sdkDir = path.dirname(new URL(import.meta.url).pathname);
const run = promisify(execFile);

interface PackageJson {
  types: string;
  exports: Record<string, { types: string; import?: string }>;
}

describe('the SDK package', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-sdk-'));
    const tsc = path.join(sdkDir, '..', 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: sdkDir,
    });
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('emits every file its package.json exports', async () => {
    const manifest = JSON.parse(
      await readFile(path.join(sdkDir, 'package.json'), 'utf8'),
    ) as PackageJson;
    const targets = [
      manifest.types,
      ...Object.values(manifest.exports).flatMap((entry) => [entry.types, entry.import ?? []]),
    ].flat();
    expect(targets.length).toBeGreaterThan(2);
    for (const target of targets) {
      const emitted = path.join(outDir, path.relative('./dist', target));
      expect(existsSync(emitted), target).toBe(true);
    }
  });

  it('declares the public API: connect, PluginError and the Arrow helpers', async () => {
    const index = await readFile(path.join(outDir, 'src', 'index.d.ts'), 'utf8');
    for (const name of ['connect', 'PluginError', 'tableFromColumns', 'readColumns']) {
      expect(index).toContain(name);
    }
    const connect = await readFile(path.join(outDir, 'src', 'connect.d.ts'), 'utf8');
    expect(connect).toMatch(/export declare function connect\(/);
    // Relative imports point at the emitted .js files, so the package runs as published.
    expect(await readFile(path.join(outDir, 'src', 'index.js'), 'utf8')).not.toMatch(/\.ts['"]/);
  });
});
