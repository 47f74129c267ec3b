/**
 * The plugin build on a tiny fixture plugin in a temp folder: the manifest must name exactly the
 * files emitted, with their real SHA-256, or the server would refuse (or worse, serve) the plugin.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin, PluginBuildError } from './build-plugins.ts';

let workDir: string;
let fixtureDir: string;

const fixtureManifest = {
  id: 'test.fixture',
  name: 'Fixture',
  version: '1.2.3',
  description: 'A plugin with a dynamic import, so the build emits a chunk.',
  permissions: ['ui:panel'],
};

async function writeFixture(dir: string, manifest: unknown): Promise<void> {
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await writeFile(path.join(dir, 'plugin.json'), JSON.stringify(manifest));
  await writeFile(
    path.join(dir, 'src', 'worker.ts'),
    [
      "import { greet } from './greet.ts';",
      "const later = await import('./later.ts');",
      'postMessage(greet(later.name));',
    ].join('\n'),
  );
  await writeFile(
    path.join(dir, 'src', 'greet.ts'),
    'export const greet = (name: string): string => `hello ${name}`;\n',
  );
  await writeFile(path.join(dir, 'src', 'later.ts'), "export const name = 'chunk';\n");
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'enclave-build-plugins-'));
  fixtureDir = path.join(workDir, 'fixture');
  await writeFixture(fixtureDir, fixtureManifest);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('buildPlugin', () => {
  it('lists every emitted file with its SHA-256, and nothing else', async () => {
    const outRoot = path.join(workDir, 'out');
    const manifest = await buildPlugin({ sourceDir: fixtureDir, outRoot });
    const outDir = path.join(outRoot, 'test.fixture');

    const emitted = (await readdir(outDir, { recursive: true })).filter(
      (file) => file !== 'manifest.json',
    );
    expect(Object.keys(manifest.files).sort()).toEqual(emitted.sort());
    expect(emitted).toContain('worker.js');
    expect(emitted.some((file) => /^chunk-.+\.js$/.test(file))).toBe(true);
    for (const [file, hash] of Object.entries(manifest.files)) {
      const bytes = await readFile(path.join(outDir, file));
      expect(hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    }

    const written = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8'));
    expect(written).toEqual({ ...fixtureManifest, entry: 'worker.js', files: manifest.files });
  });

  it('emits an ES module that imports its chunk by a relative path, without eval', async () => {
    const outRoot = path.join(workDir, 'out-module');
    const manifest = await buildPlugin({ sourceDir: fixtureDir, outRoot });
    const worker = await readFile(path.join(outRoot, 'test.fixture', 'worker.js'), 'utf8');
    const chunk = Object.keys(manifest.files).find((file) => file.startsWith('chunk-'));
    expect(worker).toMatch(new RegExp(`import\\(["'\`]\\./${chunk}["'\`]\\)`));
    expect(worker).not.toMatch(/\beval\(|new Function\(/);
    expect(worker).not.toContain(workDir);
  });

  it('gives the same bytes for the same sources', async () => {
    const first = await buildPlugin({ sourceDir: fixtureDir, outRoot: path.join(workDir, 'a') });
    const second = await buildPlugin({ sourceDir: fixtureDir, outRoot: path.join(workDir, 'b') });
    expect(second.files).toEqual(first.files);
  });

  it('removes what an earlier build left in the plugin folder', async () => {
    const outRoot = path.join(workDir, 'stale');
    await mkdir(path.join(outRoot, 'test.fixture'), { recursive: true });
    await writeFile(path.join(outRoot, 'test.fixture', 'old-chunk.js'), 'stale');
    const manifest = await buildPlugin({ sourceDir: fixtureDir, outRoot });
    const emitted = await readdir(path.join(outRoot, 'test.fixture'));
    expect(emitted).not.toContain('old-chunk.js');
    expect(Object.keys(manifest.files)).not.toContain('old-chunk.js');
  });

  it('refuses a plugin.json with an unknown permission, naming the field', async () => {
    const badDir = path.join(workDir, 'bad-permission');
    await writeFixture(badDir, { ...fixtureManifest, permissions: ['ui:panel', 'net:fetch'] });
    await expect(
      buildPlugin({ sourceDir: badDir, outRoot: path.join(workDir, 'x') }),
    ).rejects.toThrow(/permissions\.1:/);
  });

  it('refuses a plugin.json that sets files itself', async () => {
    const badDir = path.join(workDir, 'bad-files');
    await writeFixture(badDir, { ...fixtureManifest, files: { 'worker.js': '00' } });
    await expect(
      buildPlugin({ sourceDir: badDir, outRoot: path.join(workDir, 'y') }),
    ).rejects.toBeInstanceOf(PluginBuildError);
  });

  it('refuses a folder without src/worker.ts', async () => {
    const badDir = path.join(workDir, 'no-worker');
    await mkdir(badDir, { recursive: true });
    await writeFile(path.join(badDir, 'plugin.json'), JSON.stringify(fixtureManifest));
    await expect(
      buildPlugin({ sourceDir: badDir, outRoot: path.join(workDir, 'z') }),
    ).rejects.toThrow(/src\/worker\.ts is missing/);
  });
});
