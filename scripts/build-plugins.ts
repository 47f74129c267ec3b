/**
 * Builds the first-party plugins (`plugins/<name>/` with a `plugin.json`) into the layout the
 * server loads from `PLUGINS_DIR`: `dist/plugins/<id>/manifest.json` plus the plugin's files.
 *
 * A plugin's code runs in a module Worker under a CSP without 'unsafe-eval' and with script-src
 * limited to the plugin's own files, so each plugin is bundled (Vite library build, ES module,
 * every dependency inside) into `worker.js` plus the chunks its dynamic imports need, with no
 * inlined assets and no eval. The manifest is written last, from the files actually emitted,
 * with the SHA-256 the server checks on every serve. The same sources give the same bytes, so
 * the hashes are stable across builds.
 *
 * Usage: `node --import tsx scripts/build-plugins.ts [--out <dir>] [<plugin folder>…]`
 * (no folders: every folder of `plugins/` that has a plugin.json).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';
import { z } from 'zod';
import type { PluginPermission } from '../sdk/src/protocol.ts';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The file a plugin's worker starts from, in its folder and in its built output. */
export const WORKER_SOURCE = 'src/worker.ts';
export const WORKER_ENTRY = 'worker.js';

/** The server's limits (see the plugin contract): a build over them would be refused at load. */
const MAX_FILES = 200;
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const MAX_TOTAL_BYTES = 50 * 1024 * 1024;

/** Every permission of the protocol; `satisfies` keeps the list from naming one it lacks. */
const permissions = [
  'data:read',
  'data:write',
  'selection:read',
  'ui:panel',
  'storage:own',
] as const satisfies readonly PluginPermission[];
const permissionSchema = z.enum(permissions);

/** `plugin.json`: the manifest without `entry` and `files`, which the build adds. */
const sourceManifestSchema = z.strictObject({
  id: z
    .string()
    .max(100)
    .regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/),
  name: z.string().min(1).max(100),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  description: z.string().max(500),
  permissions: z.array(permissionSchema),
});

export type SourceManifest = z.infer<typeof sourceManifestSchema>;

/** What the server loads: `plugin.json` plus the entry and the hash of every emitted file. */
export interface BuiltManifest extends SourceManifest {
  readonly entry: string;
  readonly files: Record<string, string>;
}

/**
 * A plugin that cannot be built: its plugin.json, its sources, or the emitted files (over the
 * server's limits). `message` names the file or field; `cause` carries the bundler's error.
 *
 * @example
 * try {
 *   await buildPlugin({ sourceDir, outRoot });
 * } catch (error) {
 *   if (error instanceof PluginBuildError) console.error(error.message);
 * }
 */
export class PluginBuildError extends Error {
  readonly code = 'plugin_build_failed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginBuildError';
  }
}

export interface BuildPluginOptions {
  /** The plugin's folder: `plugin.json` and `src/worker.ts`. */
  readonly sourceDir: string;
  /** The PLUGINS_DIR-style folder; the plugin lands in `<outRoot>/<id>/`. */
  readonly outRoot: string;
}

/**
 * Builds one plugin folder and writes its manifest.
 *
 * @example
 * const manifest = await buildPlugin({ sourceDir: 'plugins/chart', outRoot: 'dist/plugins' });
 * manifest.files['worker.js']; // the SHA-256 hex of dist/plugins/enclave.chart/worker.js
 */
export async function buildPlugin(options: BuildPluginOptions): Promise<BuiltManifest> {
  const sourceDir = path.resolve(options.sourceDir);
  const source = await readSourceManifest(sourceDir);
  const outDir = path.join(path.resolve(options.outRoot), source.id);
  await rm(outDir, { recursive: true, force: true });
  try {
    await build({
      configFile: false,
      root: sourceDir,
      publicDir: false,
      logLevel: 'warn',
      mode: 'production',
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        minify: true,
        sourcemap: false,
        copyPublicDir: false,
        // Files only: an inlined data: URL or WebAssembly module could not pass the plugin CSP,
        // and a library's optional data file (openchemlib's 1.3 MB resources.json, which it
        // fetches only on request) must not grow the bundle it is never loaded from.
        assetsInlineLimit: 0,
        // A worker has no document to preload into: dynamic imports stay plain `import()`.
        modulePreload: false,
        reportCompressedSize: false,
        // The server's per-file limit is the one that matters (checked below).
        chunkSizeWarningLimit: MAX_FILE_BYTES / 1024,
        // An application build rather than `build.lib`: library mode inlines every asset and
        // keeps whitespace for a consumer's bundler, and a plugin is the final bundle.
        rolldownOptions: {
          input: { worker: path.join(sourceDir, WORKER_SOURCE) },
          preserveEntrySignatures: false,
          output: {
            format: 'es',
            entryFileNames: WORKER_ENTRY,
            chunkFileNames: 'chunk-[hash].js',
            assetFileNames: 'asset-[hash][extname]',
          },
        },
      },
    });
  } catch (error) {
    throw new PluginBuildError(`${source.id}: the bundle did not build`, { cause: error });
  }
  const files = await hashFiles(outDir);
  if (!(WORKER_ENTRY in files)) {
    throw new PluginBuildError(`${source.id}: the build emitted no ${WORKER_ENTRY}`);
  }
  const manifest: BuiltManifest = { ...source, entry: WORKER_ENTRY, files };
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export interface BuildPluginsOptions {
  /** Plugin folders to build; by default every folder of `plugins/` with a plugin.json. */
  readonly sourceDirs?: readonly string[];
  readonly outRoot: string;
}

/**
 * Builds several plugins one after the other (a build already uses both cores) into a fresh
 * `outRoot`, so a plugin removed from `plugins/` leaves nothing behind.
 *
 * @example
 * const manifests = await buildPlugins({ outRoot: 'dist/plugins' });
 */
export async function buildPlugins(options: BuildPluginsOptions): Promise<BuiltManifest[]> {
  const sourceDirs =
    options.sourceDirs ?? (await findPluginFolders(path.join(repositoryRoot, 'plugins')));
  await rm(options.outRoot, { recursive: true, force: true });
  await mkdir(options.outRoot, { recursive: true });
  const manifests: BuiltManifest[] = [];
  const ids = new Set<string>();
  for (const sourceDir of sourceDirs) {
    const manifest = await buildPlugin({ sourceDir, outRoot: options.outRoot });
    if (ids.has(manifest.id)) {
      throw new PluginBuildError(`${sourceDir}: another plugin already has the id ${manifest.id}`);
    }
    ids.add(manifest.id);
    manifests.push(manifest);
  }
  return manifests;
}

/**
 * The folders of `pluginsRoot` that hold a plugin.json, sorted by name.
 *
 * @example
 * await findPluginFolders('plugins'); // ['plugins/chart', 'plugins/chemistry', …]
 */
export async function findPluginFolders(pluginsRoot: string): Promise<string[]> {
  const entries = await readdir(pluginsRoot, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(pluginsRoot, entry.name))
    .filter((folder) => existsSync(path.join(folder, 'plugin.json')))
    .sort();
}

async function readSourceManifest(sourceDir: string): Promise<SourceManifest> {
  const file = path.join(sourceDir, 'plugin.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new PluginBuildError(`${file}: not readable JSON`, { cause: error });
  }
  const parsed = sourceManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new PluginBuildError(`${file}: ${issues.join('; ')}`);
  }
  if (!existsSync(path.join(sourceDir, WORKER_SOURCE))) {
    throw new PluginBuildError(`${sourceDir}: ${WORKER_SOURCE} is missing`);
  }
  return parsed.data;
}

/** Every file under `dir` (manifest.json excepted) by its `/`-separated relative path, sorted. */
async function hashFiles(dir: string): Promise<Record<string, string>> {
  const relativePaths = (await readdir(dir, { recursive: true }))
    .map((entry) => entry.split(path.sep).join('/'))
    .filter((entry) => entry !== 'manifest.json')
    .sort();
  const files: Record<string, string> = {};
  let total = 0;
  for (const relativePath of relativePaths) {
    const absolute = path.join(dir, relativePath);
    if (!(await stat(absolute)).isFile()) continue;
    const bytes = await readFile(absolute);
    if (bytes.byteLength > MAX_FILE_BYTES) {
      throw new PluginBuildError(`${absolute}: ${bytes.byteLength} bytes, over the 20 MB limit`);
    }
    total += bytes.byteLength;
    files[relativePath] = createHash('sha256').update(bytes).digest('hex');
  }
  if (Object.keys(files).length > MAX_FILES) {
    throw new PluginBuildError(`${dir}: more than ${MAX_FILES} files`);
  }
  if (total > MAX_TOTAL_BYTES) {
    throw new PluginBuildError(`${dir}: ${total} bytes in all, over the 50 MB limit`);
  }
  return files;
}

function parseArguments(argv: readonly string[]): { outRoot: string; sourceDirs?: string[] } {
  let outRoot = path.join(repositoryRoot, 'dist', 'plugins');
  const sourceDirs: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (argument === '--out') {
      const value = argv[index + 1];
      if (value === undefined) throw new PluginBuildError('--out needs a folder');
      outRoot = path.resolve(value);
      index += 1;
    } else {
      sourceDirs.push(path.resolve(argument));
    }
  }
  return sourceDirs.length > 0 ? { outRoot, sourceDirs } : { outRoot };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  try {
    const options = parseArguments(process.argv.slice(2));
    const manifests = await buildPlugins(options);
    for (const manifest of manifests) {
      const dir = path.join(options.outRoot, manifest.id);
      let bytes = 0;
      for (const file of Object.keys(manifest.files))
        bytes += (await stat(path.join(dir, file))).size;
      const kib = (bytes / 1024).toFixed(1);
      console.log(
        `${manifest.id}@${manifest.version}: ${Object.keys(manifest.files).length} files, ${kib} KiB`,
      );
    }
    console.log(`plugins built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    if (error instanceof Error && error.cause) console.error(error.cause);
    process.exit(1);
  }
}
