/**
 * Packaging of the e2e plugins (`e2e/plugins/`): each hostile plugin becomes a real plugin
 * archive, the way an author would publish one (manifest.json with the SHA-256 of every file,
 * zipped with fflate), so the upload path is tested too. The e2e server's `PLUGINS_DIR` is made
 * here as well: a temporary copy of the built first-party plugins plus the bundled fixtures,
 * in a folder a test can find again (by port) to change a plugin's files on disk.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The hostile corpus, one folder per plugin, and its protocol prelude. */
export const HOSTILE_DIR = path.join(E2E_DIR, 'plugins', 'hostile');
/** Fixtures loaded from `PLUGINS_DIR` at server start. */
export const BUNDLED_FIXTURES_DIR = path.join(E2E_DIR, 'plugins', 'bundled');

/** What a packaged plugin is made of: its manifest and its files, by path. */
export interface PluginPackage {
  readonly manifest: PluginManifest;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

/** The manifest of `docs/plugins.md` (the contract's `manifest.json`). */
export interface PluginManifest {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly entry: string;
  readonly permissions: readonly string[];
  readonly files: Readonly<Record<string, string>>;
}

/** `plugin.json` in a corpus folder: the manifest before packaging. */
type PluginSource = Omit<PluginManifest, 'entry' | 'files'>;

/**
 * The hex SHA-256 of a file's bytes, as the manifest lists it.
 *
 * @example
 * sha256Hex(strToU8('x')); // '2d711642…'
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The worker script of a corpus folder: the protocol prelude, then the plugin's own script,
 * with `__NAME__` placeholders replaced (`__LISTENER__`, `__STUN__`, …).
 *
 * @example
 * workerScript(path.join(HOSTILE_DIR, 'fetch'), { __LISTENER__: 'http://127.0.0.1:40000' });
 */
export function workerScript(folder: string, substitutions: Record<string, string> = {}): string {
  const prelude = readFileSync(path.join(HOSTILE_DIR, 'wire.js'), 'utf8');
  let script = `${prelude}\n${readFileSync(path.join(folder, 'worker.js'), 'utf8')}`;
  for (const [placeholder, value] of Object.entries(substitutions)) {
    script = script.replaceAll(placeholder, value);
  }
  return script;
}

/**
 * Packages a corpus folder (`plugin.json` + `worker.js`) as a plugin: entry `worker.js`, with
 * its hash in the manifest.
 *
 * @example
 * const fetchPlugin = packagePlugin(path.join(HOSTILE_DIR, 'fetch'), { __LISTENER__: origin });
 */
export function packagePlugin(
  folder: string,
  substitutions: Record<string, string> = {},
): PluginPackage {
  const source = JSON.parse(readFileSync(path.join(folder, 'plugin.json'), 'utf8')) as PluginSource;
  const worker = strToU8(workerScript(folder, substitutions));
  return {
    manifest: { ...source, entry: 'worker.js', files: { 'worker.js': sha256Hex(worker) } },
    files: { 'worker.js': worker },
  };
}

/**
 * The plugin as the archive `POST /api/v1/plugins` takes: manifest.json at the root.
 *
 * @example
 * await alice.call('POST', '/plugins', zipPlugin(fetchPlugin), { 'content-type': 'application/zip' });
 */
export function zipPlugin(plugin: PluginPackage): Uint8Array {
  return zipSync({
    'manifest.json': strToU8(JSON.stringify(plugin.manifest, null, 2)),
    ...plugin.files,
  });
}

/** Writes a packaged plugin as a folder of `PLUGINS_DIR` (manifest.json + files). */
function writePluginFolder(parent: string, plugin: PluginPackage): string {
  const folder = path.join(parent, plugin.manifest.id);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(plugin.manifest, null, 2));
  for (const [name, bytes] of Object.entries(plugin.files)) {
    writeFileSync(path.join(folder, name), bytes);
  }
  return folder;
}

/**
 * Where the e2e server on `port` keeps its plugins (`PLUGINS_DIR`); tests find it by port.
 *
 * @example
 * const folder = path.join(pluginsDirFor(18080), 'e2e.fixture.tampered');
 */
export function pluginsDirFor(port: number): string {
  return path.join(os.tmpdir(), `enclave-e2e-plugins-${String(port)}`);
}

/**
 * Makes a fresh `PLUGINS_DIR` for the e2e server on `port`: the built first-party plugins
 * (`dist/plugins`, when built) and the bundled fixtures. Returns its path.
 *
 * @example
 * const pluginsDir = preparePluginsDir(18080);
 */
export function preparePluginsDir(port: number, builtPlugins = 'dist/plugins'): string {
  const dir = pluginsDirFor(port);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (existsSync(builtPlugins)) cpSync(builtPlugins, dir, { recursive: true });
  for (const name of ['tampered']) {
    writePluginFolder(dir, packagePlugin(path.join(BUNDLED_FIXTURES_DIR, name)));
  }
  return dir;
}
