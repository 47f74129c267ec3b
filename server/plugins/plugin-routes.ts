/**
 * The plugin API under `/api/v1`: the catalogue (what the caller may run), uploads and removal
 * (Admins), consent, launches and the instances the host polls and reports to, and the admins'
 * policy rules. Every handler asks the policy first (`requireDecision`, on facts that include
 * the plugin policy for the caller), touches data as the caller (`store.asUser`, where
 * row-level security keeps consents and instances to their owner), and records each change with
 * its before and after. Launches and the host's reports name the plugin as the acting app.
 */
import { randomBytes } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { declaredLengthLimit, readUpload } from '../upload-body/index.ts';
import type { AppEnv } from '../app-env.ts';
import { captureRows, type SnapshotPart } from '../audit/index.ts';
import {
  currentSubject,
  isAllowed,
  refuseMissing,
  requestActor,
  requireDecision,
  type ResourceFacts,
  type Subject,
} from '../authz/index.ts';
import {
  ApiError,
  ConflictError,
  NotFoundError,
  ValidationError,
  validationHook,
} from '../errors/index.ts';
import { ErrorResponseSchema, IdParamsSchema, IdSchema, errorResponses } from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';
import { PLUGIN_PERMISSIONS, type PluginPermission } from './manifest.ts';
import { readPluginArchive, sha256Hex } from './plugin-archive.ts';
import type { PluginRecord, PluginRegistry } from './plugin-registry.ts';

const {
  plugins,
  pluginFiles,
  brokenPlugins,
  pluginConsents,
  pluginInstances,
  pluginPolicyRules,
  groups,
  users,
} = schema;

/** How long after launch the frame document may be fetched (once). */
export const DOCUMENT_WINDOW_MS = 60_000;
/** How long an instance lives at most. */
export const INSTANCE_LIFETIME_MS = 12 * 60 * 60 * 1000;

const UPLOAD_PATH = '/api/v1/plugins';
const zipMediaTypes = ['application/zip', 'application/x-zip-compressed'];

/**
 * Whether a request is a plugin upload, which has its own body limit (`MAX_UPLOAD_MB`) on its
 * route instead of the API's; the composition root skips the latter for exactly these requests.
 *
 * @example
 * isPluginUpload('POST', '/api/v1/plugins'); // true
 */
export function isPluginUpload(method: string, path: string): boolean {
  return method === 'POST' && path === UPLOAD_PATH;
}

/**
 * A short, stable reference to an instance for the audit trail: the instance id itself is the
 * secret part of the frame's URL and is never recorded.
 *
 * @example
 * instanceRef(instanceId); // '3f1c0a9be2d47781'
 */
export function instanceRef(instanceId: string): string {
  return sha256Hex(new TextEncoder().encode(instanceId)).slice(0, 16);
}

const PluginIdSchema = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/, 'must be a plugin id, e.g. "enclave.chart"');
const PluginParamsSchema = z.object({
  id: PluginIdSchema.openapi({ param: { name: 'id', in: 'path' }, example: 'enclave.chart' }),
});
const InstanceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be an instance id');
const InstanceParamsSchema = z.object({
  instanceId: InstanceIdSchema.openapi({ param: { name: 'instanceId', in: 'path' } }),
});
const PermissionSchema = z.enum(PLUGIN_PERMISSIONS);
// Column and table names as the user's workbench has them: bounded, no control characters.
const ColumnNameSchema = z
  .string()
  .min(1)
  .max(200)
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters');

const ConsentSchema = z
  .object({ permissions: z.array(PermissionSchema), grantedAt: z.string() })
  .openapi('PluginConsent');

const PluginSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.string(),
    description: z.string(),
    permissions: z.array(PermissionSchema),
    source: z.enum(['bundled', 'uploaded']),
    runnable: z.boolean(),
    blockedReason: z.string().nullable(),
    consent: ConsentSchema.nullable(),
  })
  .openapi('PluginSummary');

const PluginListSchema = z.object({ plugins: z.array(PluginSummarySchema) }).openapi('PluginList');

const ConsentBodySchema = z
  .object({ permissions: z.array(PermissionSchema).max(PLUGIN_PERMISSIONS.length) })
  .strict()
  .openapi('PluginConsentRequest');

const LaunchBodySchema = z
  .object({
    tableName: ColumnNameSchema.optional(),
    columns: z.array(ColumnNameSchema).max(10_000).optional(),
  })
  .strict()
  .openapi('PluginLaunchRequest');

const LaunchSchema = z
  .object({
    instanceId: z.string(),
    url: z.string(),
    pluginOrigin: z.string(),
    expiresAt: z.string(),
    permissions: z.array(PermissionSchema),
    plugin: PluginSummarySchema,
  })
  .openapi('PluginLaunch');

const InstanceStateSchema = z
  .object({ state: z.enum(['active', 'blocked', 'ended']), reason: z.string().nullable() })
  .openapi('PluginInstanceState');

/**
 * What the SPA reports about an instance. Client events are recorded (source `client`) and
 * never decide anything: the route answers the instance's state from the server's own records.
 */
const clientEventActions = [
  'plugin.started',
  'plugin.data_read',
  'plugin.data_write',
  'plugin.denied',
  'plugin.egress_blocked',
  'plugin.terminated',
  'plugin.storage_write',
  'plugin.selection_read',
] as const;

/** The CSP directives a blocked-egress report may name (the frame runtime's allow-list). */
const cspDirectives = [
  'default-src',
  'connect-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'media-src',
  'object-src',
  'worker-src',
  'child-src',
  'frame-src',
  'manifest-src',
  'form-action',
  'base-uri',
  'fenced-frame-src',
] as const;

/**
 * A blocked URI as the host reduces it: a CSP keyword, a scheme, or origin + path of a network
 * URL (no credentials, query or fragment), ≤ 300 characters.
 */
const BlockedUriSchema = z
  .string()
  .max(300)
  .regex(
    /^(?:[a-z][a-z0-9-]{0,30}|(?:https?|wss?):\/\/[A-Za-z0-9.[\]:-]+(?:\/[^?#\s]*)?)$/,
    'must be a CSP keyword, or the origin and path of a URL (no query, no fragment)',
  );

const InstanceEventSchema = z
  .object({
    action: z.enum(clientEventActions),
    columns: z.array(ColumnNameSchema).max(10_000).optional(),
    rows: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    detail: z.string().max(500).optional(),
    directive: z.enum(cspDirectives).optional(),
    blockedUri: BlockedUriSchema.optional(),
  })
  .strict()
  .superRefine((event, context) => {
    const egress = event.action === 'plugin.egress_blocked';
    for (const field of ['directive', 'blockedUri'] as const) {
      if (egress && event[field] === undefined)
        context.addIssue({
          code: 'custom',
          path: [field],
          message: `required for ${event.action}`,
        });
      if (!egress && event[field] !== undefined)
        context.addIssue({
          code: 'custom',
          path: [field],
          message: `only for plugin.egress_blocked`,
        });
    }
  })
  .openapi('PluginInstanceEvent');

const IsoTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' });

const PolicyRuleBodySchema = z
  .object({
    pluginId: PluginIdSchema,
    effect: z.enum(['allow', 'block']),
    groupIds: z.array(IdSchema).min(1).max(100).nullable(),
    startsAt: IsoTimeSchema.nullable().default(null),
    endsAt: IsoTimeSchema.nullable().default(null),
  })
  .strict()
  .refine(
    (rule) => !rule.startsAt || !rule.endsAt || Date.parse(rule.startsAt) < Date.parse(rule.endsAt),
    { message: 'must be after startsAt', path: ['endsAt'] },
  )
  .openapi('PluginPolicyRuleRequest');

const PolicyRuleSchema = z
  .object({
    id: z.uuid(),
    pluginId: z.string(),
    effect: z.enum(['allow', 'block']),
    groupIds: z.array(z.uuid()).nullable(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    active: z.boolean(),
    createdAt: z.string(),
    createdBy: z.string().openapi({ description: "The creator's username." }),
  })
  .openapi('PluginPolicyRule');

const BinarySchema = z.string().openapi({ type: 'string', format: 'binary' });

type PluginSummary = z.infer<typeof PluginSummarySchema>;
type Consent = z.infer<typeof ConsentSchema>;
type InstanceRow = typeof pluginInstances.$inferSelect;
type RuleRow = typeof pluginPolicyRules.$inferSelect;

const tags = ['plugins'];
const security = [{ DPoP: [] }];

const listPluginsRoute = createRoute({
  method: 'get',
  path: '/plugins',
  tags,
  security,
  summary: 'The plugins the caller may run (Admins: every plugin)',
  responses: {
    200: {
      description: 'The plugins.',
      content: { 'application/json': { schema: PluginListSchema } },
    },
  },
});

const getPluginRoute = createRoute({
  method: 'get',
  path: '/plugins/{id}',
  tags,
  security,
  summary: 'One plugin',
  request: { params: PluginParamsSchema },
  responses: {
    200: {
      description: 'The plugin.',
      content: { 'application/json': { schema: PluginSummarySchema } },
    },
    ...errorResponses(400, 404),
  },
});

const deletePluginRoute = createRoute({
  method: 'delete',
  path: '/plugins/{id}',
  tags,
  security,
  summary: 'Remove an uploaded plugin (Admins)',
  request: { params: PluginParamsSchema },
  responses: { 204: { description: 'Removed.' }, ...errorResponses(400, 403, 404, 409) },
});

const putConsentRoute = createRoute({
  method: 'put',
  path: '/plugins/{id}/consent',
  tags,
  security,
  summary: "Approve the plugin's permissions (exactly the manifest's set)",
  request: {
    params: PluginParamsSchema,
    body: { required: true, content: { 'application/json': { schema: ConsentBodySchema } } },
  },
  responses: {
    200: { description: 'Granted.', content: { 'application/json': { schema: ConsentSchema } } },
    ...errorResponses(400, 404),
  },
});

const deleteConsentRoute = createRoute({
  method: 'delete',
  path: '/plugins/{id}/consent',
  tags,
  security,
  summary: 'Revoke the consent',
  request: { params: PluginParamsSchema },
  responses: { 204: { description: 'Revoked.' }, ...errorResponses(400, 404) },
});

const launchRoute = createRoute({
  method: 'post',
  path: '/plugins/{id}/launch',
  tags,
  security,
  summary: 'A single-use launch URL for the plugin frame',
  request: {
    params: PluginParamsSchema,
    body: { required: true, content: { 'application/json': { schema: LaunchBodySchema } } },
  },
  responses: {
    201: { description: 'Launched.', content: { 'application/json': { schema: LaunchSchema } } },
    ...errorResponses(400, 403, 404, 409),
  },
});

const instanceStateRoute = createRoute({
  method: 'get',
  path: '/plugin-instances/{instanceId}',
  tags,
  security,
  summary: 'Whether the instance may go on (the host polls it)',
  request: { params: InstanceParamsSchema },
  responses: {
    200: {
      description: 'The state.',
      content: { 'application/json': { schema: InstanceStateSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const instanceEventRoute = createRoute({
  method: 'post',
  path: '/plugin-instances/{instanceId}/events',
  tags,
  security,
  summary:
    "Records what the host is about to do for the plugin (audited), answers the instance's state",
  request: {
    params: InstanceParamsSchema,
    body: { required: true, content: { 'application/json': { schema: InstanceEventSchema } } },
  },
  responses: {
    200: {
      description: 'Recorded.',
      content: { 'application/json': { schema: InstanceStateSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const endInstanceRoute = createRoute({
  method: 'delete',
  path: '/plugin-instances/{instanceId}',
  tags,
  security,
  summary: 'Ends the instance: its files are no longer served',
  request: { params: InstanceParamsSchema },
  responses: { 204: { description: 'Ended.' }, ...errorResponses(400, 404) },
});

const listRulesRoute = createRoute({
  method: 'get',
  path: '/plugin-policies',
  tags,
  security,
  summary: 'The plugin policy rules (Admins)',
  responses: {
    200: {
      description: 'The rules.',
      content: { 'application/json': { schema: z.object({ rules: z.array(PolicyRuleSchema) }) } },
    },
    ...errorResponses(403),
  },
});

const createRuleRoute = createRoute({
  method: 'post',
  path: '/plugin-policies',
  tags,
  security,
  summary: 'Allow or block a plugin for everyone or groups, optionally in a time window (Admins)',
  request: {
    body: { required: true, content: { 'application/json': { schema: PolicyRuleBodySchema } } },
  },
  responses: {
    201: { description: 'Created.', content: { 'application/json': { schema: PolicyRuleSchema } } },
    ...errorResponses(400, 403),
  },
});

const deleteRuleRoute = createRoute({
  method: 'delete',
  path: '/plugin-policies/{id}',
  tags,
  security,
  summary: 'Remove a plugin policy rule (Admins)',
  request: { params: IdParamsSchema },
  responses: { 204: { description: 'Removed.' }, ...errorResponses(400, 403, 404) },
});

function uploadRoute(maxUploadBytes: number) {
  return createRoute({
    method: 'post',
    path: '/plugins',
    tags,
    security,
    summary: 'Upload a plugin (Admins): a zip of its folder',
    description: `The body is the zip itself (\`application/zip\`), at most ${String(maxUploadBytes)} bytes (\`MAX_UPLOAD_MB\`), with manifest.json at its root or in its one top folder. Uploading an id again replaces that upload; a bundled plugin's id is refused.`,
    middleware: [declaredLengthLimit(maxUploadBytes)] as const,
    request: {
      body: {
        required: true,
        content: Object.fromEntries(zipMediaTypes.map((type) => [type, { schema: BinarySchema }])),
      },
    },
    responses: {
      201: {
        description: 'Installed.',
        content: { 'application/json': { schema: PluginSummarySchema } },
      },
      415: {
        description: 'Not application/zip.',
        content: { 'application/json': { schema: ErrorResponseSchema } },
      },
      422: {
        description:
          'A file is missing, extra or does not match its hash, or the archive is too large unpacked.',
        content: { 'application/json': { schema: ErrorResponseSchema } },
      },
      ...errorResponses(400, 403, 409, 413),
    },
  });
}

export interface PluginRoutesOptions {
  registry: PluginRegistry;
  /** `config.pluginOrigin`: where the launch URL points. */
  pluginOrigin: string;
  /** The largest upload accepted (`config.maxUploadBytes`). */
  maxUploadBytes: number;
}

/** A plugin as the policy and the summary see it, for one subject at one moment. */
interface PluginView {
  record: PluginRecord;
  facts: Extract<ResourceFacts, { type: 'plugin' }>;
}

async function viewOf(
  registry: PluginRegistry,
  record: PluginRecord,
  subject: Subject,
  now: Date,
): Promise<PluginView> {
  const runnability = await registry.runnability(
    record,
    subject.groups.map((group) => group.id),
    now,
  );
  return {
    record,
    facts: {
      type: 'plugin',
      id: record.manifest.id,
      name: record.manifest.name,
      blockedReason: runnability.runnable ? null : runnability.reason,
    },
  };
}

function consentView(row: { permissions: string[]; grantedAt: Date } | undefined): Consent | null {
  return row
    ? { permissions: row.permissions as PluginPermission[], grantedAt: row.grantedAt.toISOString() }
    : null;
}

function summaryOf(view: PluginView, consent: Consent | null): PluginSummary {
  const { manifest, source } = view.record;
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    permissions: manifest.permissions,
    source,
    runnable: view.facts.blockedReason === null,
    blockedReason: view.facts.blockedReason,
    consent,
  };
}

/**
 * A user's consent to a plugin as audit events record it: its own resource (`plugin_consent`,
 * `<pluginId>/<userId>`), since each user consents for themselves only.
 */
export function consentState(
  userId: string,
  pluginId: string,
  row: { permissions: string[]; grantedAt: Date } | undefined,
) {
  return row
    ? { userId, pluginId, permissions: row.permissions, grantedAt: row.grantedAt.toISOString() }
    : null;
}

/** The audit resource id of a user's consent to a plugin. */
export function consentResourceId(pluginId: string, userId: string): string {
  return `${pluginId}/${userId}`;
}

/** An uploaded plugin's rows (bytes included), as a revert's snapshot keeps them. */
export function pluginSnapshotParts(id: string): SnapshotPart[] {
  return [
    { table: 'plugins', where: sql`id = ${id}` },
    { table: 'plugin_files', where: sql`plugin_id = ${id}` },
  ];
}

/** A plugin as audit events record it: what it is, never its code. */
export function pluginState(record: PluginRecord) {
  const { manifest } = record;
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    entry: manifest.entry,
    permissions: manifest.permissions,
    files: manifest.files,
    manifestSha256: record.manifestSha256,
    source: record.source,
  };
}

/** A plugin policy rule as audit events record it. */
export function ruleState(row: RuleRow) {
  return {
    id: row.id,
    pluginId: row.pluginId,
    effect: row.effect,
    groupIds: row.groupIds ?? null,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
  };
}

function ruleView(
  row: RuleRow,
  creatorName: string | null,
  now: Date,
): z.infer<typeof PolicyRuleSchema> {
  const time = now.getTime();
  return {
    ...ruleState(row),
    effect: row.effect as 'allow' | 'block',
    active:
      (!row.startsAt || row.startsAt.getTime() <= time) &&
      (!row.endsAt || time < row.endsAt.getTime()),
    createdAt: row.createdAt.toISOString(),
    createdBy: creatorName ?? (row.createdBy === null ? 'a removed account' : row.createdBy),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

function uploadedZip(contentType: string | undefined): void {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!zipMediaTypes.includes(mediaType)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Upload the plugin as application/zip; got ${contentType ? `"${contentType.slice(0, 100)}"` : 'no Content-Type'}.`,
    );
  }
}

/**
 * The state of an instance for its user now: `ended` once ended, expired, or when its plugin was
 * removed or replaced; `blocked` while the plugin policy (or a broken file) stops the user.
 *
 * @example
 * const { state, reason } = await instanceState(registry, instance, subject.groups.map((g) => g.id), new Date());
 */
export async function instanceState(
  registry: PluginRegistry,
  instance: InstanceRow,
  groupIds: readonly string[],
  now: Date,
): Promise<{
  state: 'active' | 'blocked' | 'ended';
  reason: string | null;
  plugin: PluginRecord | null;
}> {
  if (instance.endedAt) return { state: 'ended', reason: instance.endReason, plugin: null };
  if (instance.expiresAt.getTime() <= now.getTime()) {
    return {
      state: 'ended',
      reason: 'The plugin instance expired; launch it again.',
      plugin: null,
    };
  }
  const plugin = await registry.get(instance.pluginId);
  if (!plugin || plugin.manifestSha256 !== instance.manifestSha256) {
    return { state: 'ended', reason: 'The plugin was removed or replaced.', plugin: null };
  }
  const runnability = await registry.runnability(plugin, groupIds, now);
  if (!runnability.runnable) return { state: 'blocked', reason: runnability.reason, plugin };
  return { state: 'active', reason: null, plugin };
}

async function loadConsent(db: Database, userId: string, pluginId: string) {
  const [row] = await db
    .select({ permissions: pluginConsents.permissions, grantedAt: pluginConsents.grantedAt })
    .from(pluginConsents)
    .where(and(eq(pluginConsents.userId, userId), eq(pluginConsents.pluginId, pluginId)));
  return row;
}

/**
 * The plugin routes, to mount under `/api/v1` behind authentication. The upload route carries
 * its own body limit; the API-wide one must skip it (`isPluginUpload`).
 *
 * @example
 * api.route('/', pluginRoutes({ registry, pluginOrigin: config.pluginOrigin, maxUploadBytes }));
 */
export function pluginRoutes(options: PluginRoutesOptions) {
  const { registry, pluginOrigin, maxUploadBytes } = options;

  /** The plugin's facts for the caller; a plugin that does not exist is a recorded 404. */
  const pluginFor = async (
    c: Context<AppEnv>,
    action: Parameters<typeof requireDecision>[1],
    id: string,
  ) => {
    const record = await registry.get(id);
    if (!record)
      return refuseMissing(
        c,
        action,
        'plugin',
        id,
        'No plugin with this id, or you may not see it.',
      );
    const subject = await currentSubject(c);
    const view = await viewOf(registry, record, subject, new Date());
    await requireDecision(c, action, view.facts, 'No plugin with this id, or you may not see it.');
    return { subject, view };
  };

  /** The caller's instance; another user's, like one that never existed, is a recorded 404. */
  const instanceFor = async (c: Context<AppEnv>, id: string) => {
    const [instance] = await c.var.store.db
      .select()
      .from(pluginInstances)
      .where(eq(pluginInstances.id, id));
    const notFound = 'No plugin instance with this id.';
    if (!instance)
      return refuseMissing(c, 'plugin.instance.use', 'pluginInstance', instanceRef(id), notFound);
    const { subject } = await requireDecision(
      c,
      'plugin.instance.use',
      {
        type: 'pluginInstance',
        id: instanceRef(id),
        pluginId: instance.pluginId,
        userId: instance.userId,
      },
      notFound,
    );
    return { subject, instance };
  };

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listPluginsRoute, async (c) => {
      const { subject } = await requireDecision(c, 'plugin.list', { type: 'system' });
      const now = new Date();
      const views = await Promise.all(
        (await registry.list()).map((record) => viewOf(registry, record, subject, now)),
      );
      const consents = await c.var.store.asUser(subject.userId, (db) =>
        db
          .select({
            pluginId: pluginConsents.pluginId,
            permissions: pluginConsents.permissions,
            grantedAt: pluginConsents.grantedAt,
          })
          .from(pluginConsents)
          .where(eq(pluginConsents.userId, subject.userId)),
      );
      const consentOf = new Map(consents.map((row) => [row.pluginId, row]));
      const visible = views
        .filter((view) => isAllowed(subject, 'plugin.view', view.facts, []))
        .map((view) => summaryOf(view, consentView(consentOf.get(view.record.manifest.id))));
      return c.json({ plugins: visible }, 200);
    })
    .openapi(getPluginRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject, view } = await pluginFor(c, 'plugin.view', id);
      const consent = await c.var.store.asUser(subject.userId, (db) =>
        loadConsent(db, subject.userId, id),
      );
      return c.json(summaryOf(view, consentView(consent)), 200);
    })
    .openapi(uploadRoute(maxUploadBytes), async (c) => {
      uploadedZip(c.req.header('content-type'));
      const { subject } = await requireDecision(c, 'plugin.upload', { type: 'system' });
      const archive = readPluginArchive(await readUpload(c, maxUploadBytes));
      const { manifest } = archive;
      if (await registry.isBundled(manifest.id)) {
        throw new ConflictError(
          `A bundled plugin has the id "${manifest.id}"; give the upload another id.`,
          'plugin_id_taken',
        );
      }
      const now = new Date();
      // Read before the transaction: the registry reads on the server's own connection.
      const before = await registry.get(manifest.id);
      await c.var.store.asUser(subject.userId, async (db) => {
        // The upload it replaces, kept so that reverting the replacement can put it back.
        const snapshotId = before ? await captureRows(db, pluginSnapshotParts(manifest.id)) : null;
        await db.delete(plugins).where(eq(plugins.id, manifest.id));
        await db.insert(plugins).values({
          id: manifest.id,
          manifest,
          manifestSha256: archive.manifestSha256,
          uploadedBy: subject.userId,
          uploadedAt: now,
        });
        for (const [path, bytes] of archive.files) {
          await db.insert(pluginFiles).values({
            pluginId: manifest.id,
            path,
            sha256: manifest.files[path] as string,
            content: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          });
        }
        await db.delete(brokenPlugins).where(eq(brokenPlugins.pluginId, manifest.id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: before ? 'plugin.replace' : 'plugin.upload',
            resourceType: 'plugin',
            resourceId: manifest.id,
            outcome: 'ok',
            before: before ? pluginState(before) : null,
            after: pluginState({
              manifest,
              manifestSha256: archive.manifestSha256,
              source: 'uploaded',
            }),
            ...(snapshotId ? { details: { snapshotId } } : {}),
          },
          db,
        );
      });
      const record = (await registry.get(manifest.id)) as PluginRecord;
      const view = await viewOf(registry, record, subject, now);
      c.header('Location', `/api/v1/plugins/${manifest.id}`);
      return c.json(summaryOf(view, null), 201);
    })
    .openapi(deletePluginRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject, view } = await pluginFor(c, 'plugin.delete', id);
      if (view.record.source === 'bundled') {
        throw new ConflictError(
          'Bundled plugins come with the server and cannot be removed; block them with a policy rule instead.',
          'plugin_bundled',
        );
      }
      await c.var.store.asUser(subject.userId, async (db) => {
        const snapshotId = await captureRows(db, pluginSnapshotParts(id));
        await db.delete(plugins).where(eq(plugins.id, id));
        await db.delete(brokenPlugins).where(eq(brokenPlugins.pluginId, id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'plugin.delete',
            resourceType: 'plugin',
            resourceId: id,
            outcome: 'ok',
            before: pluginState(view.record),
            after: null,
            details: { snapshotId },
          },
          db,
        );
      });
      return c.body(null, 204);
    })
    .openapi(putConsentRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const { subject, view } = await pluginFor(c, 'plugin.consent', id);
      const asked = view.record.manifest.permissions;
      if (
        !sameSet(body.permissions, asked) ||
        new Set(body.permissions).size !== body.permissions.length
      ) {
        throw new ValidationError(
          `Invalid request: permissions: must be exactly what the plugin asks for: ${JSON.stringify(asked)}.`,
        );
      }
      const grantedAt = new Date();
      await c.var.store.asUser(subject.userId, async (db) => {
        const before = await loadConsent(db, subject.userId, id);
        const values = { userId: subject.userId, pluginId: id, permissions: [...asked], grantedAt };
        await db
          .insert(pluginConsents)
          .values(values)
          .onConflictDoUpdate({
            target: [pluginConsents.userId, pluginConsents.pluginId],
            set: { permissions: values.permissions, grantedAt },
          });
        await c.var.audit.record(
          {
            ...requestActor(c),
            actorPlugin: id,
            action: 'plugin.consent.grant',
            resourceType: 'plugin_consent',
            resourceId: consentResourceId(id, subject.userId),
            outcome: 'ok',
            before: consentState(subject.userId, id, before),
            after: consentState(subject.userId, id, values),
          },
          db,
        );
      });
      return c.json({ permissions: [...asked], grantedAt: grantedAt.toISOString() }, 200);
    })
    .openapi(deleteConsentRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await pluginFor(c, 'plugin.view', id);
      await c.var.store.asUser(subject.userId, async (db) => {
        const before = await loadConsent(db, subject.userId, id);
        if (!before) return;
        await db
          .delete(pluginConsents)
          .where(and(eq(pluginConsents.userId, subject.userId), eq(pluginConsents.pluginId, id)));
        await c.var.audit.record(
          {
            ...requestActor(c),
            actorPlugin: id,
            action: 'plugin.consent.revoke',
            resourceType: 'plugin_consent',
            resourceId: consentResourceId(id, subject.userId),
            outcome: 'ok',
            before: consentState(subject.userId, id, before),
            after: null,
          },
          db,
        );
      });
      return c.body(null, 204);
    })
    .openapi(launchRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const { subject, view } = await pluginFor(c, 'plugin.launch', id);
      const { manifest } = view.record;
      const now = new Date();
      const instanceId = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + INSTANCE_LIFETIME_MS);
      const consent = await c.var.store.asUser(subject.userId, async (db) => {
        const granted = await loadConsent(db, subject.userId, id);
        const covered =
          granted &&
          manifest.permissions.every((permission) => granted.permissions.includes(permission));
        if (!covered) return null;
        await db.insert(pluginInstances).values({
          id: instanceId,
          pluginId: id,
          manifestSha256: view.record.manifestSha256,
          userId: subject.userId,
          permissions: [...manifest.permissions],
          tableName: body.tableName ?? null,
          columns: body.columns ?? null,
          createdAt: now,
          expiresAt,
        });
        await c.var.audit.record(
          {
            ...requestActor(c),
            actorPlugin: id,
            action: 'plugin.launch',
            resourceType: 'plugin',
            resourceId: id,
            outcome: 'ok',
            details: {
              instance: instanceRef(instanceId),
              version: manifest.version,
              permissions: manifest.permissions,
              tableName: body.tableName ?? null,
              columns: body.columns ?? [],
            },
          },
          db,
        );
        return granted;
      });
      if (!consent) {
        throw new ConflictError(
          `Approve the plugin's permissions first: ${manifest.permissions.join(', ') || 'none'}.`,
          'consent_required',
        );
      }
      return c.json(
        {
          instanceId,
          url: `${pluginOrigin}/i/${instanceId}/`,
          pluginOrigin,
          expiresAt: expiresAt.toISOString(),
          permissions: manifest.permissions,
          plugin: summaryOf(view, consentView(consent)),
        },
        201,
      );
    })
    .openapi(instanceStateRoute, async (c) => {
      const { instanceId: id } = c.req.valid('param');
      const { subject, instance } = await instanceFor(c, id);
      const { state, reason } = await instanceState(
        registry,
        instance,
        subject.groups.map((group) => group.id),
        new Date(),
      );
      return c.json({ state, reason }, 200);
    })
    .openapi(instanceEventRoute, async (c) => {
      const { instanceId: id } = c.req.valid('param');
      const event = c.req.valid('json');
      const { subject, instance } = await instanceFor(c, id);
      const { state, reason } = await instanceState(
        registry,
        instance,
        subject.groups.map((group) => group.id),
        new Date(),
      );
      await c.var.audit.record({
        ...requestActor(c),
        actorPlugin: instance.pluginId,
        source: 'client',
        action: event.action,
        resourceType: 'plugin',
        resourceId: instance.pluginId,
        outcome:
          state !== 'active' ||
          event.action === 'plugin.denied' ||
          event.action === 'plugin.egress_blocked'
            ? 'denied'
            : 'ok',
        details: {
          instance: instanceRef(id),
          tableName: instance.tableName,
          columns: event.columns ?? null,
          rows: event.rows ?? null,
          detail: event.detail ?? null,
          ...(event.action === 'plugin.egress_blocked'
            ? { directive: event.directive, blockedUri: event.blockedUri }
            : {}),
          ...(state === 'active' ? {} : { state, reason }),
        },
      });
      return c.json({ state, reason }, 200);
    })
    .openapi(endInstanceRoute, async (c) => {
      const { instanceId: id } = c.req.valid('param');
      const { subject, instance } = await instanceFor(c, id);
      if (!instance.endedAt) {
        await c.var.store.asUser(subject.userId, async (db) => {
          const endedAt = new Date();
          await db
            .update(pluginInstances)
            .set({ endedAt, endReason: 'The user closed the plugin.' })
            .where(eq(pluginInstances.id, id));
          await c.var.audit.record(
            {
              ...requestActor(c),
              actorPlugin: instance.pluginId,
              action: 'plugin.end',
              resourceType: 'plugin',
              resourceId: instance.pluginId,
              outcome: 'ok',
              details: { instance: instanceRef(id) },
              before: { endedAt: null },
              after: { endedAt: endedAt.toISOString() },
            },
            db,
          );
        });
      }
      return c.body(null, 204);
    })
    .openapi(listRulesRoute, async (c) => {
      const { subject } = await requireDecision(c, 'plugin.policy.view', { type: 'system' });
      const rows = await c.var.store.asUser(subject.userId, (db) =>
        db
          .select({ row: pluginPolicyRules, creatorName: users.username })
          .from(pluginPolicyRules)
          .leftJoin(users, eq(users.id, pluginPolicyRules.createdBy))
          .orderBy(pluginPolicyRules.pluginId, pluginPolicyRules.createdAt),
      );
      const now = new Date();
      return c.json(
        { rules: rows.map(({ row, creatorName }) => ruleView(row, creatorName, now)) },
        200,
      );
    })
    .openapi(createRuleRoute, async (c) => {
      const body = c.req.valid('json');
      const { subject } = await requireDecision(c, 'plugin.policy.manage', { type: 'system' });
      const row = await c.var.store.asUser(subject.userId, async (db) => {
        if (body.groupIds) {
          const found = await db
            .select({ id: groups.id })
            .from(groups)
            .where(inArray(groups.id, body.groupIds));
          const missing = body.groupIds.filter(
            (groupId) => !found.some((group) => group.id === groupId),
          );
          if (missing.length > 0) {
            throw new ValidationError(
              `Invalid request: groupIds: no group with the id ${missing.join(', ')}`,
            );
          }
        }
        const [created] = await db
          .insert(pluginPolicyRules)
          .values({
            id: crypto.randomUUID(),
            pluginId: body.pluginId,
            effect: body.effect,
            groupIds: body.groupIds ? [...new Set(body.groupIds)] : null,
            startsAt: body.startsAt ? new Date(body.startsAt) : null,
            endsAt: body.endsAt ? new Date(body.endsAt) : null,
            createdBy: subject.userId,
            createdAt: new Date(),
          })
          .returning();
        if (!created) throw new Error('the new rule is not visible to its creator');
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'plugin.policy.create',
            resourceType: 'plugin_policy_rule',
            resourceId: created.id,
            outcome: 'ok',
            after: ruleState(created),
          },
          db,
        );
        return created;
      });
      c.header('Location', `/api/v1/plugin-policies/${row.id}`);
      return c.json(ruleView(row, subject.username, new Date()), 201);
    })
    .openapi(deleteRuleRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireDecision(c, 'plugin.policy.manage', { type: 'system' });
      await c.var.store.asUser(subject.userId, async (db) => {
        const [before] = await db
          .select()
          .from(pluginPolicyRules)
          .where(eq(pluginPolicyRules.id, id));
        if (!before) throw new NotFoundError('No plugin policy rule with this id.');
        const snapshotId = await captureRows(db, [
          { table: 'plugin_policy_rules', where: sql`id = ${id}` },
        ]);
        await db.delete(pluginPolicyRules).where(eq(pluginPolicyRules.id, id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'plugin.policy.delete',
            resourceType: 'plugin_policy_rule',
            resourceId: id,
            outcome: 'ok',
            before: ruleState(before),
            after: null,
            details: { snapshotId },
          },
          db,
        );
      });
      return c.body(null, 204);
    });
}
