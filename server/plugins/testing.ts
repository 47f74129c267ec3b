/**
 * Test support: plugins made on the spot, as a folder (bundled) or a zip (upload), with a
 * manifest whose hashes match unless a test says otherwise.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import { sha256Hex } from './plugin-archive.ts';

export interface TestPluginOptions {
  id?: string;
  name?: string;
  version?: string;
  permissions?: string[];
  /** The plugin's files; default a worker and a chunk. */
  files?: Record<string, string | Uint8Array>;
  /** Fields to put into (or replace in) the manifest as written. */
  manifest?: Record<string, unknown>;
}

export interface TestPlugin {
  manifest: Record<string, unknown>;
  files: Record<string, Uint8Array>;
}

const encoder = new TextEncoder();

/**
 * A plugin's manifest and files.
 *
 * @example
 * const plugin = testPlugin({ id: 'test.chart', permissions: ['ui:panel'] });
 */
export function testPlugin(options: TestPluginOptions = {}): TestPlugin {
  const sources = options.files ?? {
    'worker.js': "import './chunks/helper.js';\nself.postMessage('hello');\n",
    'chunks/helper.js': 'export const answer = 42;\n',
  };
  const files = Object.fromEntries(
    Object.entries(sources).map(([name, content]) => [
      name,
      typeof content === 'string' ? encoder.encode(content) : content,
    ]),
  );
  const manifest = {
    id: options.id ?? 'test.plugin',
    name: options.name ?? 'Test plugin',
    version: options.version ?? '1.0.0',
    description: 'A plugin made by a test.',
    entry: 'worker.js',
    permissions: options.permissions ?? ['data:read', 'ui:panel'],
    files: Object.fromEntries(
      Object.entries(files).map(([name, bytes]) => [name, sha256Hex(bytes)]),
    ),
    ...options.manifest,
  };
  return { manifest, files };
}

/**
 * The plugin as an upload: a zip with manifest.json at the root, or in `folder`.
 *
 * @example
 * const zip = pluginZip(testPlugin(), { folder: 'my-plugin' });
 */
export function pluginZip(plugin: TestPlugin, options: { folder?: string } = {}): Uint8Array {
  const prefix = options.folder ? `${options.folder}/` : '';
  return zipSync({
    [`${prefix}manifest.json`]: encoder.encode(JSON.stringify(plugin.manifest)),
    ...Object.fromEntries(
      Object.entries(plugin.files).map(([name, bytes]) => [`${prefix}${name}`, bytes]),
    ),
  });
}

/**
 * Writes the plugin as a bundled plugin's folder under `pluginsDir`.
 *
 * @example
 * await writePluginFolder(pluginsDir, testPlugin({ id: 'test.bundled' }));
 */
export async function writePluginFolder(pluginsDir: string, plugin: TestPlugin): Promise<string> {
  const folder = path.join(pluginsDir, String(plugin.manifest.id));
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'manifest.json'), JSON.stringify(plugin.manifest));
  for (const [name, bytes] of Object.entries(plugin.files)) {
    await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
    await writeFile(path.join(folder, name), bytes);
  }
  return folder;
}
