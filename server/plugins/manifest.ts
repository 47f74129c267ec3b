/**
 * The plugin manifest (`manifest.json`) and its one validator. Every plugin, bundled or uploaded,
 * passes through `parseManifest` before anything else looks at it; a refusal names the exact
 * field and the reason (`permissions[2]: unknown permission "net:fetch"`), for the admin who
 * uploads it and the author who reads the server's log.
 *
 * File paths are held to a small alphabet and checked segment by segment, so no path can leave
 * the plugin's folder or name something other than a plain file; the file table is built on a
 * null-prototype object, so a path such as `__proto__` can never reach an object's prototype.
 */
import { z } from 'zod';

/**
 * What a manifest may ask for; the user approves them at first launch. The same list as
 * `PluginPermission` in sdk/src/protocol.ts, the wire protocol's.
 */
export const PLUGIN_PERMISSIONS = [
  'data:read',
  'data:write',
  'selection:read',
  'ui:panel',
  'storage:own',
] as const;

export type PluginPermission = (typeof PLUGIN_PERMISSIONS)[number];

/** The limits of one plugin: how many files, how large each, how large all together. */
export const PLUGIN_LIMITS = {
  maxFiles: 200,
  maxFileBytes: 20 * 1024 * 1024,
  maxTotalBytes: 50 * 1024 * 1024,
  maxManifestBytes: 256 * 1024,
  maxPathLength: 200,
} as const;

const PLUGIN_ID = /^[a-z0-9]+(\.[a-z0-9-]+)+$/;
const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const RESERVED_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * Why a path is not a plugin file path, or null when it is one: relative, `/`-separated, each
 * segment from `A-Z a-z 0-9 . _ -` not starting with a dot, never `manifest.json` itself.
 *
 * @example
 * filePathProblem('chunks/a.js');   // null
 * filePathProblem('../etc/passwd'); // 'must not contain ".." or "." segments'
 */
export function filePathProblem(path: string): string | null {
  if (path.length === 0) return 'must not be empty';
  if (path.length > PLUGIN_LIMITS.maxPathLength) {
    return `must be at most ${String(PLUGIN_LIMITS.maxPathLength)} characters`;
  }
  if (path.startsWith('/')) return 'must be relative (no leading "/")';
  if (path.includes('\\')) return 'must use "/" as separator (no "\\")';
  if (/^[A-Za-z]:/.test(path)) return 'must be relative (no drive letter)';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    return 'must not contain ".." or "." segments';
  }
  if (segments.some((segment) => segment === '')) return 'must not contain empty segments';
  if (segments.some((segment) => RESERVED_SEGMENTS.has(segment))) {
    return 'must not use the reserved names __proto__, constructor or prototype';
  }
  if (segments.some((segment) => !PATH_SEGMENT.test(segment))) {
    return 'segments may hold only letters, digits, ".", "_" and "-" and must not start with "."';
  }
  if (path === 'manifest.json') return 'must not list manifest.json itself';
  return null;
}

/** The file table: a null-prototype object of path → lower-case SHA-256 hex. */
const FilesSchema = z.unknown().transform((value, context) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    context.addIssue({ code: 'custom', message: 'must be an object of file path → SHA-256 hex' });
    return z.NEVER;
  }
  const paths = Object.keys(value);
  if (paths.length === 0)
    context.addIssue({ code: 'custom', message: 'must list at least one file' });
  if (paths.length > PLUGIN_LIMITS.maxFiles) {
    context.addIssue({
      code: 'custom',
      message: `must list at most ${String(PLUGIN_LIMITS.maxFiles)} files (got ${String(paths.length)})`,
    });
    return z.NEVER;
  }
  const files = Object.create(null) as Record<string, string>;
  for (const path of paths) {
    const problem = filePathProblem(path);
    if (problem) {
      context.addIssue({ code: 'custom', path: [path], message: `file path ${problem}` });
      continue;
    }
    const hash = (Object.getOwnPropertyDescriptor(value, path) as PropertyDescriptor).value;
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) {
      context.addIssue({
        code: 'custom',
        path: [path],
        message: 'must be the SHA-256 of the file as 64 lower-case hex digits',
      });
      continue;
    }
    files[path] = hash;
  }
  return files as Readonly<Record<string, string>>;
});

const TextSchema = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${String(max)} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters');

const PermissionSchema = z.string().transform((value, context) => {
  if (!(PLUGIN_PERMISSIONS as readonly string[]).includes(value)) {
    context.addIssue({
      code: 'custom',
      message: `unknown permission ${JSON.stringify(value.slice(0, 60))}`,
    });
    return z.NEVER;
  }
  return value as PluginPermission;
});

const ManifestSchema = z
  .object({
    id: z
      .string()
      .max(100, 'must be at most 100 characters')
      .regex(PLUGIN_ID, 'must be dotted lower-case words, e.g. "org.example.chart"'),
    name: TextSchema(100).refine((value) => value.trim().length > 0, 'must not be empty'),
    version: z.string().regex(SEMVER, 'must be a version x.y.z, e.g. "1.0.0"'),
    description: TextSchema(2000).optional(),
    entry: z.string(),
    permissions: z
      .array(PermissionSchema)
      .max(PLUGIN_PERMISSIONS.length, 'lists a permission more than once')
      .refine((list) => new Set(list).size === list.length, 'lists a permission more than once'),
    files: FilesSchema,
  })
  .strict()
  .superRefine((manifest, context) => {
    if (!Object.hasOwn(manifest.files, manifest.entry)) {
      context.addIssue({
        code: 'custom',
        path: ['entry'],
        message: `must be one of the files listed in "files" (got ${JSON.stringify(manifest.entry.slice(0, 200))})`,
      });
    } else if (!manifest.entry.endsWith('.js')) {
      context.addIssue({ code: 'custom', path: ['entry'], message: 'must be a .js worker module' });
    }
  });

/** A validated manifest. `files` has a null prototype: look entries up with `Object.hasOwn`. */
export interface PluginManifest {
  id: string;
  name: string;
  version: string;
  description: string;
  entry: string;
  permissions: PluginPermission[];
  files: Readonly<Record<string, string>>;
}

/** A manifest was refused; `problems` name each field path and reason. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code = 'invalid_manifest';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid manifest.json: ${problems.join('; ')}`);
  }
}

/**
 * `permissions[2]`, `files["a/b.js"]`, `name`: a field path as an author would write it.
 *
 * @example
 * fieldPath(['permissions', 2]); // 'permissions[2]'
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  path.forEach((key, index) => {
    if (typeof key === 'number') text += `[${String(key)}]`;
    else if (index > 0 && path[0] === 'files') text += `[${JSON.stringify(String(key))}]`;
    else text += index === 0 ? String(key) : `.${String(key)}`;
  });
  return text || 'manifest';
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${fieldPath([...issue.path, key])}: unknown field`);
  }
  if (issue.code === 'invalid_type') {
    const reason =
      issue.input === undefined
        ? 'is required'
        : `must be ${issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}`;
    return [`${fieldPath(issue.path)}: ${reason}`];
  }
  return [`${fieldPath(issue.path)}: ${issue.message}`];
}

/**
 * Validates a parsed `manifest.json`; throws `ManifestError` naming every problem.
 *
 * @example
 * const manifest = parseManifest(JSON.parse(text));
 * manifest.files[manifest.entry]; // the entry's SHA-256
 */
export function parseManifest(value: unknown): PluginManifest {
  const parsed = ManifestSchema.safeParse(value);
  if (!parsed.success) throw new ManifestError(parsed.error.issues.flatMap(describeIssue));
  return { ...parsed.data, description: parsed.data.description ?? '' };
}

/**
 * Parses and validates the bytes of a `manifest.json`.
 *
 * @example
 * const manifest = parseManifestBytes(await readFile('dist/plugins/enclave.chart/manifest.json'));
 */
export function parseManifestBytes(bytes: Uint8Array): PluginManifest {
  if (bytes.byteLength > PLUGIN_LIMITS.maxManifestBytes) {
    throw new ManifestError([
      `manifest: must be at most ${String(PLUGIN_LIMITS.maxManifestBytes)} bytes`,
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ManifestError([`manifest: is not valid UTF-8 JSON (${(error as Error).message})`]);
  }
  return parseManifest(value);
}
