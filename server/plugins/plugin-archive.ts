/**
 * Reads an uploaded plugin archive (a zip of the plugin's folder) without trusting anything in
 * it: entries are inflated in small steps and counted as they grow, so a zip bomb stops at the
 * limit instead of filling memory; every entry name is checked before its bytes are kept (no
 * `..`, no absolute or `\` paths); the manifest is validated; and the files must be exactly the
 * manifest's, each with the SHA-256 it names.
 */
import { createHash } from 'node:crypto';
import { Unzip, UnzipInflate } from 'fflate';
import { ApiError } from '../errors/index.ts';
import {
  ManifestError,
  PLUGIN_LIMITS,
  filePathProblem,
  parseManifestBytes,
  type PluginManifest,
} from './manifest.ts';

/** An archive was refused; `code` says why, the message names the entry or field. */
export class PluginArchiveError extends ApiError {
  override readonly name = 'PluginArchiveError';
}

/** The archive is not a zip we read, or holds an entry no plugin may have. */
function invalidArchive(message: string): PluginArchiveError {
  return new PluginArchiveError(400, 'invalid_archive', message);
}

/** The archive unpacks to more than a plugin may hold. */
function archiveTooLarge(message: string): PluginArchiveError {
  return new PluginArchiveError(422, 'archive_too_large', message);
}

/** A file is missing, extra, or not what the manifest says. */
function fileMismatch(message: string): PluginArchiveError {
  return new PluginArchiveError(422, 'file_mismatch', message);
}

/** Most entries (files and folders) an archive may hold. */
const MAX_ENTRIES = PLUGIN_LIMITS.maxFiles * 2 + 10;
/** Compressed bytes handed to the inflater per step: bounds what one step can produce. */
const STEP_BYTES = 16 * 1024;

export interface PluginArchive {
  manifest: PluginManifest;
  /** The SHA-256 of manifest.json as uploaded: names this exact upload. */
  manifestSha256: string;
  /** Every file of the plugin but the manifest, by its path in `manifest.files`. */
  files: Map<string, Uint8Array>;
}

/**
 * Lower-case hex SHA-256.
 *
 * @example
 * sha256Hex(new TextEncoder().encode('')); // 'e3b0c442…'
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks that `files` are exactly the manifest's, each with its hash; throws a 422
 * `file_mismatch` naming the first file that is not.
 *
 * @example
 * matchFilesToManifest(manifest, new Map([['worker.js', bytes]]));
 */
export function matchFilesToManifest(
  manifest: PluginManifest,
  files: ReadonlyMap<string, Uint8Array>,
): void {
  for (const [path, expected] of Object.entries(manifest.files)) {
    const bytes = files.get(path);
    if (!bytes) throw fileMismatch(`${path}: listed in manifest.json but missing from the plugin.`);
    if (bytes.byteLength > PLUGIN_LIMITS.maxFileBytes) {
      throw archiveTooLarge(
        `${path}: larger than ${String(PLUGIN_LIMITS.maxFileBytes)} bytes, the limit for one file.`,
      );
    }
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      throw fileMismatch(
        `${path}: its SHA-256 is ${actual}, but manifest.json says ${expected}; the file was changed after the manifest was made.`,
      );
    }
  }
  for (const path of files.keys()) {
    if (!Object.hasOwn(manifest.files, path)) {
      throw fileMismatch(`${path}: not listed in manifest.json's "files".`);
    }
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

function entryProblem(name: string): string | null {
  const path = name.endsWith('/') ? name.slice(0, -1) : name;
  if (path === 'manifest.json' || path.endsWith('/manifest.json')) {
    return filePathProblem(path.replace(/manifest\.json$/, 'm.json'));
  }
  return filePathProblem(path);
}

/** Inflates every entry, refusing bad names and stopping at the size and count limits. */
function unzipEntries(zip: Uint8Array): Map<string, Uint8Array> {
  const entries = new Map<string, Uint8Array>();
  let failure: PluginArchiveError | null = null;
  let count = 0;
  let total = 0;
  const fail = (error: PluginArchiveError) => {
    failure ??= error;
  };
  const unzip = new Unzip((file) => {
    if (failure) return;
    count += 1;
    if (count > MAX_ENTRIES) {
      fail(archiveTooLarge(`The archive holds more than ${String(MAX_ENTRIES)} entries.`));
      return;
    }
    const name = file.name;
    const problem = entryProblem(name);
    if (problem) {
      fail(invalidArchive(`Entry ${JSON.stringify(name.slice(0, 200))}: ${problem}.`));
      return;
    }
    if (name.endsWith('/')) return;
    if (entries.has(name)) {
      fail(invalidArchive(`Entry ${JSON.stringify(name)} appears more than once.`));
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        fail(invalidArchive(`Entry ${JSON.stringify(name)} does not inflate: ${error.message}.`));
        return;
      }
      size += chunk.byteLength;
      total += chunk.byteLength;
      if (size > PLUGIN_LIMITS.maxFileBytes) {
        fail(
          archiveTooLarge(
            `${name}: unpacks to more than ${String(PLUGIN_LIMITS.maxFileBytes)} bytes, the limit for one file.`,
          ),
        );
        file.terminate();
        return;
      }
      if (total > PLUGIN_LIMITS.maxTotalBytes) {
        fail(
          archiveTooLarge(
            `The archive unpacks to more than ${String(PLUGIN_LIMITS.maxTotalBytes)} bytes, the limit for one plugin.`,
          ),
        );
        file.terminate();
        return;
      }
      chunks.push(chunk);
      if (final) entries.set(name, concat(chunks, size));
    };
    try {
      file.start();
    } catch {
      fail(
        invalidArchive(
          `Entry ${JSON.stringify(name)} uses compression method ${String(file.compression)}; only stored and deflate are read.`,
        ),
      );
    }
  });
  unzip.register(UnzipInflate);
  try {
    for (let offset = 0; offset < zip.byteLength && !failure; offset += STEP_BYTES) {
      unzip.push(zip.subarray(offset, offset + STEP_BYTES), offset + STEP_BYTES >= zip.byteLength);
    }
  } catch (error) {
    fail(invalidArchive(`The archive is damaged: ${(error as Error).message}.`));
  }
  if (failure) throw failure;
  return entries;
}

/** Where the plugin's folder is in the archive: at the root or in one top folder. */
function pluginRoot(entries: ReadonlyMap<string, Uint8Array>): string {
  if (entries.has('manifest.json')) return '';
  const tops = new Set([...entries.keys()].map((name) => name.split('/')[0]));
  const [top] = tops;
  if (tops.size === 1 && top !== undefined && entries.has(`${top}/manifest.json`)) {
    return `${top}/`;
  }
  throw invalidArchive('The archive has no manifest.json at its root or in its one top folder.');
}

/**
 * Reads and checks an uploaded plugin archive.
 *
 * @example
 * const { manifest, files } = readPluginArchive(zipBytes);
 */
export function readPluginArchive(zip: Uint8Array): PluginArchive {
  if (
    zip.byteLength < 4 ||
    zip[0] !== 0x50 ||
    zip[1] !== 0x4b ||
    zip[2] !== 0x03 ||
    zip[3] !== 0x04
  ) {
    throw invalidArchive('The body is not a zip archive (application/zip).');
  }
  const entries = unzipEntries(zip);
  const root = pluginRoot(entries);
  const manifestBytes = entries.get(`${root}manifest.json`) as Uint8Array;
  let manifest: PluginManifest;
  try {
    manifest = parseManifestBytes(manifestBytes);
  } catch (error) {
    if (error instanceof ManifestError) {
      throw new PluginArchiveError(400, error.code, error.message, { cause: error });
    }
    throw error;
  }
  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of entries) {
    if (name === `${root}manifest.json`) continue;
    if (!name.startsWith(root)) {
      throw fileMismatch(
        `${name}: outside the plugin's folder ${root}; not listed in manifest.json's "files".`,
      );
    }
    files.set(name.slice(root.length), bytes);
  }
  matchFilesToManifest(manifest, files);
  return { manifest, manifestSha256: sha256Hex(manifestBytes), files };
}
