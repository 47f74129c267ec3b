/**
 * Where plugins come from, and the one way to read their files. Bundled plugins are read from
 * `PLUGINS_DIR` once at start (each file hash-checked; an invalid plugin is logged and skipped);
 * uploaded ones live in the database, so any number of server instances see the same set. Every
 * read of a file checks its SHA-256 against the manifest again: a file changed after the check
 * (on disk or in the database) is refused, and the plugin is marked broken until it is replaced.
 */
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import type { Logger } from '../logging/index.ts';
import { schema, type Database } from '../store/index.ts';
import { PluginArchiveError, matchFilesToManifest, sha256Hex } from './plugin-archive.ts';
import {
  ManifestError,
  PLUGIN_LIMITS,
  parseManifest,
  parseManifestBytes,
  type PluginManifest,
} from './manifest.ts';
import {
  pluginRunnability,
  type PluginPolicyRule,
  type PluginRunnability,
} from './plugin-policy.ts';

const { plugins, pluginFiles, brokenPlugins, pluginPolicyRules } = schema;

/** A plugin the server knows. */
export interface PluginRecord {
  manifest: PluginManifest;
  /** The SHA-256 of its manifest.json: names this exact build or upload. */
  manifestSha256: string;
  source: 'bundled' | 'uploaded';
}

/** What reading one of a plugin's files found. */
export type PluginFileRead =
  | { kind: 'ok'; bytes: Uint8Array }
  | { kind: 'missing' }
  | { kind: 'mismatch'; actualSha256: string };

export interface PluginRegistryOptions {
  /** The bundled plugins' folder (`PLUGINS_DIR`); a missing folder means none. */
  pluginsDir: string;
  /** The server's own connection (bookkeeping reads and the broken marks). */
  db: Database;
  logger: Pick<Logger, 'info' | 'warn'>;
}

export interface PluginRegistry {
  /** Loads the bundled plugins (once; later calls wait for the same load). */
  ready(): Promise<void>;
  /** Whether a bundled plugin has this id (uploads may not take it). */
  isBundled(id: string): Promise<boolean>;
  /** Every plugin: bundled first, then uploaded, each by id. */
  list(): Promise<PluginRecord[]>;
  get(id: string): Promise<PluginRecord | null>;
  /** Reads one file and checks its hash against the manifest; marks nothing (see `markBroken`). */
  readFile(plugin: PluginRecord, filePath: string): Promise<PluginFileRead>;
  /** Marks the plugin broken (this build or upload of it) after a file failed its check. */
  markBroken(plugin: PluginRecord, filePath: string): Promise<void>;
  /** Every admin policy rule, oldest first. */
  rules(): Promise<PluginPolicyRule[]>;
  /**
   * Whether a user in these effective groups may run the plugin now: the admins' rules, and
   * the plugin's files still matching its manifest.
   */
  runnability(
    plugin: PluginRecord,
    groupIds: readonly string[],
    now: Date,
  ): Promise<PluginRunnability>;
}

interface BundledPlugin extends PluginRecord {
  folder: string;
}

/** Every regular file under `folder`, as `/`-separated paths relative to it. */
async function listFiles(folder: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(folder, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await listFiles(folder, relative)));
    else if (entry.isFile()) found.push(relative);
    else throw new Error(`${relative}: not a regular file (links are not followed)`);
    if (found.length > PLUGIN_LIMITS.maxFiles + 1) {
      throw new Error(`more than ${String(PLUGIN_LIMITS.maxFiles)} files`);
    }
  }
  return found;
}

async function loadBundledPlugin(folder: string): Promise<BundledPlugin> {
  const manifestBytes = await readFile(path.join(folder, 'manifest.json'));
  const manifest = parseManifestBytes(manifestBytes);
  const files = new Map<string, Uint8Array>();
  let total = 0;
  for (const relative of await listFiles(folder)) {
    if (relative === 'manifest.json') continue;
    const bytes = await readFile(path.join(folder, ...relative.split('/')));
    total += bytes.byteLength;
    if (total > PLUGIN_LIMITS.maxTotalBytes) {
      throw new Error(`its files exceed ${String(PLUGIN_LIMITS.maxTotalBytes)} bytes in all`);
    }
    files.set(relative, bytes);
  }
  matchFilesToManifest(manifest, files);
  return { manifest, manifestSha256: sha256Hex(manifestBytes), source: 'bundled', folder };
}

async function loadBundled(options: PluginRegistryOptions): Promise<Map<string, BundledPlugin>> {
  const bundled = new Map<string, BundledPlugin>();
  let entries;
  try {
    entries = await readdir(options.pluginsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    options.logger.info(
      { pluginsDir: options.pluginsDir },
      'no bundled plugins: PLUGINS_DIR does not exist',
    );
    return bundled;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const folder = path.join(options.pluginsDir, entry.name);
    try {
      const plugin = await loadBundledPlugin(folder);
      if (bundled.has(plugin.manifest.id)) {
        options.logger.warn(
          { folder, pluginId: plugin.manifest.id },
          'bundled plugin skipped: another folder has the same id',
        );
        continue;
      }
      bundled.set(plugin.manifest.id, plugin);
    } catch (error) {
      const reason =
        error instanceof ManifestError ||
        error instanceof PluginArchiveError ||
        error instanceof Error
          ? error.message
          : String(error);
      options.logger.warn({ folder, reason }, 'bundled plugin skipped: it is not a valid plugin');
    }
  }
  // Each bundled plugin was just checked file by file: an earlier broken mark no longer holds.
  for (const plugin of bundled.values()) {
    await options.db.delete(brokenPlugins).where(eq(brokenPlugins.pluginId, plugin.manifest.id));
  }
  options.logger.info({ plugins: [...bundled.keys()] }, 'bundled plugins loaded');
  return bundled;
}

/**
 * The registry over a plugins folder and the database.
 *
 * @example
 * const registry = createPluginRegistry({ pluginsDir: config.pluginsDir, db: store.db, logger });
 * await registry.ready();
 * const chart = await registry.get('enclave.chart');
 */
export function createPluginRegistry(options: PluginRegistryOptions): PluginRegistry {
  const { db } = options;
  let loading: Promise<Map<string, BundledPlugin>> | undefined;
  const bundled = () => (loading ??= loadBundled(options));

  const uploaded = async (id?: string): Promise<PluginRecord[]> => {
    const rows = await db
      .select({ manifest: plugins.manifest, manifestSha256: plugins.manifestSha256 })
      .from(plugins)
      .where(id === undefined ? undefined : eq(plugins.id, id))
      .orderBy(asc(plugins.id));
    return rows.map((row) => ({
      manifest: parseManifest(row.manifest),
      manifestSha256: row.manifestSha256,
      source: 'uploaded' as const,
    }));
  };

  const registry: PluginRegistry = {
    async ready() {
      await bundled();
    },
    async isBundled(id) {
      return (await bundled()).has(id);
    },
    async list() {
      const bundledPlugins = await bundled();
      // A bundled plugin added after an upload of the same id wins, as in `get`.
      const uploads = (await uploaded()).filter(
        (plugin) => !bundledPlugins.has(plugin.manifest.id),
      );
      return [...bundledPlugins.values(), ...uploads];
    },
    async get(id) {
      return (await bundled()).get(id) ?? (await uploaded(id))[0] ?? null;
    },
    async readFile(plugin, filePath) {
      if (!Object.hasOwn(plugin.manifest.files, filePath)) return { kind: 'missing' };
      const expected = plugin.manifest.files[filePath];
      let bytes: Uint8Array | undefined;
      if (plugin.source === 'bundled') {
        const folder = (await bundled()).get(plugin.manifest.id)?.folder;
        if (!folder) return { kind: 'missing' };
        const file = path.join(folder, ...filePath.split('/'));
        try {
          if (!(await lstat(file)).isFile())
            return { kind: 'mismatch', actualSha256: 'not a regular file' };
          bytes = await readFile(file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            return { kind: 'mismatch', actualSha256: 'the file is gone' };
          }
          throw error;
        }
      } else {
        const [row] = await db
          .select({ content: pluginFiles.content })
          .from(pluginFiles)
          .innerJoin(plugins, eq(plugins.id, pluginFiles.pluginId))
          .where(
            and(
              eq(pluginFiles.pluginId, plugin.manifest.id),
              eq(pluginFiles.path, filePath),
              eq(plugins.manifestSha256, plugin.manifestSha256),
            ),
          );
        if (!row) return { kind: 'mismatch', actualSha256: 'the file is gone' };
        bytes = new Uint8Array(row.content.buffer, row.content.byteOffset, row.content.byteLength);
      }
      const actualSha256 = sha256Hex(bytes);
      return actualSha256 === expected ? { kind: 'ok', bytes } : { kind: 'mismatch', actualSha256 };
    },
    async markBroken(plugin, filePath) {
      const values = {
        pluginId: plugin.manifest.id,
        manifestSha256: plugin.manifestSha256,
        path: filePath,
        detectedAt: new Date(),
      };
      await db
        .insert(brokenPlugins)
        .values(values)
        .onConflictDoUpdate({ target: brokenPlugins.pluginId, set: values });
    },
    async rules() {
      const rows = await db
        .select()
        .from(pluginPolicyRules)
        .orderBy(asc(pluginPolicyRules.createdAt));
      return rows.map((row) => ({
        id: row.id,
        pluginId: row.pluginId,
        effect: row.effect as PluginPolicyRule['effect'],
        groupIds: row.groupIds ?? null,
        startsAt: row.startsAt,
        endsAt: row.endsAt,
      }));
    },
    async runnability(plugin, groupIds, now) {
      const [broken] = await db
        .select({ path: brokenPlugins.path })
        .from(brokenPlugins)
        .where(
          and(
            eq(brokenPlugins.pluginId, plugin.manifest.id),
            eq(brokenPlugins.manifestSha256, plugin.manifestSha256),
          ),
        );
      if (broken) {
        return {
          runnable: false,
          reason: `The plugin's file ${broken.path} no longer matches its manifest; an administrator must reinstall it.`,
          ruleId: null,
        };
      }
      return pluginRunnability({
        pluginId: plugin.manifest.id,
        rules: await registry.rules(),
        groupIds,
        now,
      });
    },
  };
  return registry;
}
