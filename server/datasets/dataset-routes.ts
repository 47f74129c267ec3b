/**
 * Shared datasets: named tables in a project, kept as immutable versions. An upload (Arrow IPC or
 * CSV) is checked and rewritten as an Arrow IPC stream by `server/arrow`, then sealed with
 * AES-256-GCM under the dataset's own data key (wrapped by the master key) and bound to its place,
 * `dataset:<id>:v<n>`, so a version copied onto another row or dataset does not open. Downloads
 * open the whole version (GCM checks its tag before any byte is released) and are audited as reads.
 *
 * Every handler asks the policy first (`requireAccess`), touches data as the caller (`store.asUser`,
 * row-level security), and records each change in the same transaction. Audit events carry a
 * version's metadata and digest, never its bytes.
 */
import { createHash } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { declaredLengthLimit, readUpload } from '../upload-body/index.ts';
import type { AppEnv } from '../app-env.ts';
import { csvToArrowIpc, normalizeArrowIpc } from '../arrow/index.ts';
import {
  allowedActions,
  isAllowed,
  projectOf,
  requestActor,
  requireAccess,
  type AccessRule,
  type ProjectFacts,
  type ResourceFacts,
  type Subject,
} from '../authz/index.ts';
import { captureRows } from '../audit/index.ts';
import { ApiError, NotFoundError, validationHook } from '../errors/index.ts';
import { KeyringError } from '../keyring/index.ts';
import {
  DescriptionSchema,
  ErrorResponseSchema,
  IdParamsSchema,
  IdSchema,
  NameSchema,
  errorResponses,
} from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';

const { datasets, datasetVersions, users } = schema;

/** The upload's `Content-Type` is none of the formats a version can be made from. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor(received: string | undefined) {
    super(
      415,
      'unsupported_media_type',
      `Upload the file as ${uploadMediaTypes.join(', ')}; got ${received ? `"${received.slice(0, 100)}"` : 'no Content-Type'}.`,
    );
  }
}

/**
 * A stored version does not open: its bytes, its key or its digest were altered (or it was moved
 * from another row). A server fault, not the caller's: nothing of it is sent.
 */
export class DatasetUnreadableError extends ApiError {
  constructor(options?: ErrorOptions) {
    super(
      500,
      'dataset_unreadable',
      'The stored version cannot be opened: it was altered or damaged. It must be restored from a backup; quote the request id to your administrator.',
      options,
    );
  }
}

const formatByMediaType = {
  'application/vnd.apache.arrow.stream': 'arrow',
  'application/vnd.apache.arrow.file': 'arrow',
  'text/csv': 'csv',
} as const;
const uploadMediaTypes = Object.keys(formatByMediaType);
type SourceFormat = (typeof formatByMediaType)[keyof typeof formatByMediaType];

/** The format an upload's `Content-Type` names (parameters such as `charset` ignored). */
function uploadFormat(contentType: string | undefined): SourceFormat {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const format = (formatByMediaType as Record<string, SourceFormat>)[mediaType];
  if (!format) throw new UnsupportedMediaTypeError(contentType);
  return format;
}

const UPLOAD_PATH = /^\/api\/v1\/datasets\/[^/]+\/versions$/;

/**
 * Whether a request is a dataset upload, which has its own body limit (`MAX_UPLOAD_MB`) on its
 * route instead of the API's (`MAX_REQUEST_BODY_KB`); the composition root skips the latter for
 * exactly these requests.
 *
 * @example
 * app.use('/api/*', (c, next) =>
 *   isDatasetUpload(c.req.method, c.req.path) ? next() : apiBodyLimit(c, next));
 */
export function isDatasetUpload(method: string, path: string): boolean {
  return method === 'POST' && UPLOAD_PATH.test(path);
}

/** The context a version is sealed under: it names the dataset and the version. */
export function sealContext(datasetId: string, version: number): string {
  return `dataset:${datasetId}:v${String(version)}`;
}

const PersonSchema = z.object({ id: z.uuid(), name: z.string() }).nullable();

const ColumnSchema = z.object({ name: z.string(), type: z.string() });

export const DatasetVersionSchema = z
  .object({
    number: z.number().int(),
    createdAt: z.string(),
    createdBy: PersonSchema,
    rowCount: z.number().int(),
    byteSize: z.number().int().openapi({
      description: 'Size of the Arrow IPC stream a download returns (not of the uploaded file).',
    }),
    columns: z.array(ColumnSchema),
    sha256: z.string().openapi({ description: 'Hex SHA-256 of the Arrow IPC stream.' }),
    sourceFormat: z.enum(['arrow', 'csv']),
  })
  .openapi('DatasetVersion');

const DatasetSummarySchema = z
  .object({
    id: z.uuid(),
    projectId: z.uuid(),
    name: z.string(),
    description: z.string(),
    tags: z.record(z.string(), z.string()),
    latestVersion: z.number().int().openapi({ description: '0 until the first upload.' }),
    createdBy: PersonSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    allowedActions: z.array(z.string()).openapi({
      description: 'What the caller may do with this dataset, for the UI to offer only that.',
    }),
  })
  .openapi('DatasetSummary');

export const DatasetSchema = DatasetSummarySchema.extend({
  versions: z.array(DatasetVersionSchema),
}).openapi('Dataset');

const DatasetListSchema = z
  .object({ datasets: z.array(DatasetSummarySchema) })
  .openapi('DatasetList');

// A lone UTF-16 surrogate cannot be stored faithfully (text turns it into U+FFFD, the audit
// trail's jsonb refuses it), so it is refused up front.
const loneSurrogate = /\p{Cs}/u;
const wellFormed = (value: string) => !loneSurrogate.test(value);

const CreateDatasetSchema = z
  .object({
    name: NameSchema.refine(wellFormed, 'must be well-formed Unicode'),
    description: DescriptionSchema.refine(wellFormed, 'must be well-formed Unicode').optional(),
  })
  .strict()
  .openapi('CreateDataset');

const VersionParamsSchema = z.object({
  id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }),
  n: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'must be a version number (1, 2, …)')
    .transform(Number)
    .refine((n) => n <= 2_147_483_647, 'is not a version number')
    .openapi({ param: { name: 'n', in: 'path' }, type: 'integer', example: 1 }),
});

const BinarySchema = z.string().openapi({ type: 'string', format: 'binary' });

type DatasetRow = typeof datasets.$inferSelect;
export type VersionMeta = Omit<typeof datasetVersions.$inferSelect, 'content'>;

export const versionMetaColumns = {
  datasetId: datasetVersions.datasetId,
  projectId: datasetVersions.projectId,
  version: datasetVersions.version,
  sourceFormat: datasetVersions.sourceFormat,
  byteSize: datasetVersions.byteSize,
  rowCount: datasetVersions.rowCount,
  columns: datasetVersions.columns,
  sha256: datasetVersions.sha256,
  createdBy: datasetVersions.createdBy,
  createdAt: datasetVersions.createdAt,
};

function person(id: string | null, name: string | null) {
  return id === null ? null : { id, name: name ?? id };
}

function versionView(
  row: VersionMeta,
  creatorName: string | null,
): z.infer<typeof DatasetVersionSchema> {
  return {
    number: row.version,
    createdAt: row.createdAt.toISOString(),
    createdBy: person(row.createdBy, creatorName),
    rowCount: row.rowCount,
    byteSize: row.byteSize,
    columns: row.columns,
    sha256: row.sha256,
    sourceFormat: row.sourceFormat as SourceFormat,
  };
}

/** A version as audit events record it: what it is, never what it holds. */
export function versionState(row: VersionMeta) {
  return {
    number: row.version,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    rowCount: row.rowCount,
    byteSize: row.byteSize,
    columns: row.columns,
    sha256: row.sha256,
    sourceFormat: row.sourceFormat,
  };
}

/** A dataset as audit events record it; the wrapped key stays out (it is no use without the bytes). */
export function datasetState(row: DatasetRow) {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    description: row.description,
    tags: row.tags,
    latestVersion: row.latestVersion,
  };
}

function datasetFacts(row: DatasetRow, project: ProjectFacts): ResourceFacts {
  return { type: 'dataset', id: row.id, name: row.name, tags: row.tags, project };
}

function summaryView(
  row: DatasetRow,
  creatorName: string | null,
  subject: Subject,
  project: ProjectFacts,
  rules: readonly AccessRule[],
): z.infer<typeof DatasetSummarySchema> {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    description: row.description,
    tags: row.tags,
    latestVersion: row.latestVersion,
    createdBy: person(row.createdBy, creatorName),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    allowedActions: allowedActions(subject, datasetFacts(row, project), rules),
  };
}

async function loadDataset(db: Database, id: string) {
  const [found] = await db
    .select({ row: datasets, creatorName: users.username })
    .from(datasets)
    .leftJoin(users, eq(users.id, datasets.createdBy))
    .where(eq(datasets.id, id));
  return found;
}

export async function loadVersions(db: Database, id: string) {
  return db
    .select({ meta: versionMetaColumns, creatorName: users.username })
    .from(datasetVersions)
    .leftJoin(users, eq(users.id, datasetVersions.createdBy))
    .where(eq(datasetVersions.datasetId, id))
    .orderBy(asc(datasetVersions.version));
}

const notFound = () => new NotFoundError('No dataset with this id, or you may not see it.');

const tags = ['datasets'];
const security = [{ DPoP: [] }];

const listDatasetsRoute = createRoute({
  method: 'get',
  path: '/projects/{id}/datasets',
  tags,
  security,
  summary: "A project's datasets",
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The datasets the caller may read.',
      content: { 'application/json': { schema: DatasetListSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const createDatasetRoute = createRoute({
  method: 'post',
  path: '/projects/{id}/datasets',
  tags,
  security,
  summary: 'Create an empty dataset in a project (editors); upload versions next',
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: CreateDatasetSchema } } },
  },
  responses: {
    201: { description: 'Created.', content: { 'application/json': { schema: DatasetSchema } } },
    ...errorResponses(400, 403, 404),
  },
});

const getDatasetRoute = createRoute({
  method: 'get',
  path: '/datasets/{id}',
  tags,
  security,
  summary: 'One dataset with the list of its versions',
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The dataset.',
      content: { 'application/json': { schema: DatasetSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const deleteDatasetRoute = createRoute({
  method: 'delete',
  path: '/datasets/{id}',
  tags,
  security,
  summary: 'Delete a dataset with every version (owners)',
  request: { params: IdParamsSchema },
  responses: { 204: { description: 'Deleted.' }, ...errorResponses(400, 403, 404) },
});

function uploadVersionRoute(maxUploadBytes: number) {
  return createRoute({
    method: 'post',
    path: '/datasets/{id}/versions',
    tags,
    security,
    summary: 'Upload a new version (editors): an Arrow IPC file or stream, or CSV',
    description: `The body is the file itself, at most ${String(maxUploadBytes)} bytes (\`MAX_UPLOAD_MB\`). It is checked, stored as an Arrow IPC stream and encrypted at rest; versions are numbered 1, 2, … and never change.`,
    middleware: [declaredLengthLimit(maxUploadBytes)] as const,
    request: {
      params: IdParamsSchema,
      body: {
        required: true,
        content: Object.fromEntries(
          uploadMediaTypes.map((mediaType) => [mediaType, { schema: BinarySchema }]),
        ),
      },
    },
    responses: {
      201: {
        description: 'The new version.',
        content: { 'application/json': { schema: DatasetVersionSchema } },
      },
      415: {
        description: 'The Content-Type is not one of the upload formats.',
        content: { 'application/json': { schema: ErrorResponseSchema } },
      },
      ...errorResponses(400, 403, 404, 413),
    },
  });
}

const downloadVersionRoute = createRoute({
  method: 'get',
  path: '/datasets/{id}/versions/{n}/data',
  tags,
  security,
  summary: 'The data of one version, as an Arrow IPC stream',
  request: { params: VersionParamsSchema },
  responses: {
    200: {
      description: 'The Arrow IPC stream.',
      content: { 'application/vnd.apache.arrow.stream': { schema: BinarySchema } },
    },
    ...errorResponses(400, 404),
    500: {
      description: 'The stored version is damaged or was tampered with; nothing of it is sent.',
      content: { 'application/json': { schema: ErrorResponseSchema } },
    },
  },
});

const restoreVersionRoute = createRoute({
  method: 'post',
  path: '/datasets/{id}/versions/{n}/restore',
  tags,
  security,
  summary: 'Restore an earlier version as a new version (editors)',
  description:
    'Copies the content of version `n` into a new version, numbered after the latest; no version changes. Recorded as an upload (`dataset.upload` with `restoredFrom`), so it is reverted like one.',
  request: { params: VersionParamsSchema },
  responses: {
    201: {
      description: 'The new version.',
      content: { 'application/json': { schema: DatasetVersionSchema } },
    },
    ...errorResponses(400, 403, 404),
    500: {
      description: 'The stored version is damaged or was tampered with; nothing was copied.',
      content: { 'application/json': { schema: ErrorResponseSchema } },
    },
  },
});

/** The dataset's row, locked so that concurrent new versions take turns for their numbers. */
async function lockedDataset(db: Database, id: string): Promise<DatasetRow> {
  const [dataset] = await db.select().from(datasets).where(eq(datasets.id, id)).for('update');
  if (!dataset) throw notFound();
  return dataset;
}

interface NewVersion {
  ipc: Uint8Array;
  /** Hex SHA-256 of `ipc`. */
  sha256: string;
  sourceFormat: SourceFormat;
  rowCount: number;
  columns: { name: string; type: string }[];
  createdBy: string;
  /** What the `dataset.upload` event says about where the content came from. */
  details: Record<string, number>;
}

/**
 * Seals `ipc` as the dataset's next version, makes it the latest and records the upload, all in
 * the caller's transaction (which holds the dataset's row lock).
 */
async function appendVersion(
  c: Context<AppEnv>,
  db: Database,
  dataset: DatasetRow,
  next: NewVersion,
): Promise<VersionMeta> {
  const version = dataset.latestVersion + 1;
  const content = c.var.keyring.seal(
    dataset.wrappedKey,
    next.ipc,
    sealContext(dataset.id, version),
  );
  const [meta] = await db
    .insert(datasetVersions)
    .values({
      datasetId: dataset.id,
      projectId: dataset.projectId,
      version,
      sourceFormat: next.sourceFormat,
      byteSize: next.ipc.byteLength,
      rowCount: next.rowCount,
      columns: next.columns,
      sha256: next.sha256,
      content: Buffer.from(content.buffer, content.byteOffset, content.byteLength),
      createdBy: next.createdBy,
      createdAt: new Date(),
    })
    .returning(versionMetaColumns);
  if (!meta) throw new Error('the new version is not visible to its uploader');
  await db
    .update(datasets)
    .set({ latestVersion: version, updatedAt: meta.createdAt })
    .where(eq(datasets.id, dataset.id));
  await c.var.audit.record(
    {
      ...requestActor(c),
      action: 'dataset.upload',
      resourceType: 'dataset',
      resourceId: dataset.id,
      projectId: dataset.projectId,
      outcome: 'ok',
      details: next.details,
      before: { latestVersion: dataset.latestVersion },
      after: { latestVersion: version, version: versionState(meta) },
    },
    db,
  );
  return meta;
}

export interface DatasetRoutesOptions {
  /** The largest upload accepted (`config.maxUploadBytes`); beyond it the answer is 413. */
  maxUploadBytes: number;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The dataset routes, to mount under `/api/v1` behind authentication. The upload route carries
 * its own body limit; the API-wide one must skip it (`isDatasetUpload`).
 *
 * @example
 * api.route('/', datasetRoutes({ maxUploadBytes: config.maxUploadBytes }));
 */
export function datasetRoutes(options: DatasetRoutesOptions) {
  const { maxUploadBytes } = options;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listDatasetsRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject, facts, rules } = await requireAccess(c, 'project.view', {
        type: 'project',
        id,
      });
      const project = projectOf(facts);
      const rows = await c.var.store.asUser(subject.userId, (db) =>
        db
          .select({ row: datasets, creatorName: users.username })
          .from(datasets)
          .leftJoin(users, eq(users.id, datasets.createdBy))
          .where(eq(datasets.projectId, id))
          .orderBy(asc(datasets.name), asc(datasets.createdAt)),
      );
      const visible = rows
        // Attribute rules may hide a dataset its project's members otherwise see.
        .filter(({ row }) => isAllowed(subject, 'dataset.view', datasetFacts(row, project), rules))
        .map(({ row, creatorName }) => summaryView(row, creatorName, subject, project, rules));
      return c.json({ datasets: visible }, 200);
    })
    .openapi(createDatasetRoute, async (c) => {
      const { id: projectId } = c.req.valid('param');
      const body = c.req.valid('json');
      const { subject, facts, rules } = await requireAccess(c, 'dataset.create', {
        type: 'project',
        id: projectId,
      });
      const id = crypto.randomUUID();
      const now = new Date();
      const wrappedKey = c.var.keyring.createDataKey();
      const row = await c.var.store.asUser(subject.userId, async (db) => {
        const [created] = await db
          .insert(datasets)
          .values({
            id,
            projectId,
            name: body.name,
            description: body.description ?? '',
            wrappedKey: Buffer.from(wrappedKey),
            createdBy: subject.userId,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        if (!created) throw new Error('the new dataset is not visible to its creator');
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'dataset.create',
            resourceType: 'dataset',
            resourceId: id,
            projectId,
            outcome: 'ok',
            after: datasetState(created),
          },
          db,
        );
        return created;
      });
      c.header('Location', `/api/v1/datasets/${id}`);
      return c.json(
        {
          ...summaryView(row, subject.username, subject, projectOf(facts), rules),
          versions: [],
        },
        201,
      );
    })
    .openapi(getDatasetRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject, facts, rules } = await requireAccess(c, 'dataset.view', {
        type: 'dataset',
        id,
      });
      const { found, versions } = await c.var.store.asUser(subject.userId, async (db) => ({
        found: await loadDataset(db, id),
        versions: await loadVersions(db, id),
      }));
      if (!found) throw notFound();
      return c.json(
        {
          ...summaryView(found.row, found.creatorName, subject, projectOf(facts), rules),
          versions: versions.map(({ meta, creatorName }) => versionView(meta, creatorName)),
        },
        200,
      );
    })
    .openapi(deleteDatasetRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'dataset.delete', { type: 'dataset', id });
      await c.var.store.asUser(subject.userId, async (db) => {
        const [before] = await db.select().from(datasets).where(eq(datasets.id, id)).for('update');
        if (!before) throw notFound();
        const versions = await loadVersions(db, id);
        // Parents first: restoring the snapshot re-inserts in this order.
        const snapshotId = await captureRows(db, [
          { table: 'datasets', where: sql`id = ${id}` },
          { table: 'dataset_versions', where: sql`dataset_id = ${id}` },
        ]);
        await db.delete(datasets).where(eq(datasets.id, id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'dataset.delete',
            resourceType: 'dataset',
            resourceId: id,
            projectId: before.projectId,
            outcome: 'ok',
            details: { snapshotId },
            before: {
              ...datasetState(before),
              versions: versions.map(({ meta }) => versionState(meta)),
            },
          },
          db,
        );
      });
      return c.body(null, 204);
    })
    .openapi(uploadVersionRoute(maxUploadBytes), async (c) => {
      const { id } = c.req.valid('param');
      const format = uploadFormat(c.req.header('content-type'));
      const { subject } = await requireAccess(c, 'dataset.upload', { type: 'dataset', id });
      const upload = await readUpload(c, maxUploadBytes);
      // Parsed before the transaction: the dataset's row stays locked only while storing.
      const table = format === 'csv' ? csvToArrowIpc(upload) : normalizeArrowIpc(upload);
      const sha256 = sha256Hex(table.ipc);
      const stored = await c.var.store.asUser(subject.userId, async (db) => {
        const dataset = await lockedDataset(db, id);
        return appendVersion(c, db, dataset, {
          ipc: table.ipc,
          sha256,
          sourceFormat: format,
          rowCount: table.rowCount,
          columns: table.columns,
          createdBy: subject.userId,
          details: { uploadedBytes: upload.byteLength },
        });
      });
      c.header('Location', `/api/v1/datasets/${id}/versions/${String(stored.version)}/data`);
      return c.json(versionView(stored, subject.username), 201);
    })
    .openapi(restoreVersionRoute, async (c) => {
      const { id, n } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'dataset.upload', { type: 'dataset', id });
      const stored = await c.var.store.asUser(subject.userId, async (db) => {
        const dataset = await lockedDataset(db, id);
        const [found] = await db
          .select({ meta: versionMetaColumns, content: datasetVersions.content })
          .from(datasetVersions)
          .where(and(eq(datasetVersions.datasetId, id), eq(datasetVersions.version, n)));
        if (!found) throw new NotFoundError(`This dataset has no version ${String(n)}.`);
        const ipc = openVersion(c, id, { ...found, wrappedKey: dataset.wrappedKey });
        return appendVersion(c, db, dataset, {
          ipc,
          sha256: found.meta.sha256,
          sourceFormat: found.meta.sourceFormat as SourceFormat,
          rowCount: found.meta.rowCount,
          columns: found.meta.columns,
          createdBy: subject.userId,
          details: { restoredFrom: n },
        });
      });
      c.header('Location', `/api/v1/datasets/${id}/versions/${String(stored.version)}/data`);
      return c.json(versionView(stored, subject.username), 201);
    })
    .openapi(downloadVersionRoute, async (c) => {
      const { id, n } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'dataset.view', { type: 'dataset', id });
      // Filled in the transaction, for the record of a failed read outside it.
      const failed = { projectId: null as string | null };
      let ipc: Uint8Array;
      try {
        ipc = await c.var.store.asUser(subject.userId, async (db) => {
          const [found] = await db
            .select({
              meta: versionMetaColumns,
              content: datasetVersions.content,
              wrappedKey: datasets.wrappedKey,
            })
            .from(datasetVersions)
            .innerJoin(datasets, eq(datasets.id, datasetVersions.datasetId))
            .where(and(eq(datasetVersions.datasetId, id), eq(datasetVersions.version, n)));
          if (!found) throw new NotFoundError(`This dataset has no version ${String(n)}.`);
          failed.projectId = found.meta.projectId;
          const plaintext = openVersion(c, id, found);
          await c.var.audit.record(
            {
              ...requestActor(c),
              action: 'dataset.read',
              resourceType: 'dataset',
              resourceId: id,
              projectId: found.meta.projectId,
              outcome: 'ok',
              details: {
                version: n,
                rowCount: found.meta.rowCount,
                byteSize: found.meta.byteSize,
                sha256: found.meta.sha256,
              },
            },
            db,
          );
          return plaintext;
        });
      } catch (error) {
        if (error instanceof DatasetUnreadableError) {
          // Outside the failed transaction, so the failure itself stays on record.
          await c.var.audit.record({
            ...requestActor(c),
            action: 'dataset.read',
            resourceType: 'dataset',
            resourceId: id,
            projectId: failed.projectId,
            outcome: 'error',
            details: { version: n, reason: 'the stored version does not open' },
          });
        }
        throw error;
      }
      return c.body(ipc as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': 'application/vnd.apache.arrow.stream',
        'Content-Length': String(ipc.byteLength),
        'Content-Disposition': `attachment; filename="dataset-${id}-v${String(n)}.arrows"`,
        'Cache-Control': 'no-store',
      });
    });
}

/**
 * Opens a stored version: GCM authenticates the bytes under the version's context, and the
 * digest recorded at upload must match too, so neither altered bytes nor a swapped digest pass.
 */
function openVersion(
  c: Context<AppEnv>,
  datasetId: string,
  found: { meta: VersionMeta; content: Buffer; wrappedKey: Buffer },
): Uint8Array {
  let plaintext: Uint8Array;
  try {
    plaintext = c.var.keyring.open(
      found.wrappedKey,
      found.content,
      sealContext(datasetId, found.meta.version),
    );
  } catch (error) {
    if (error instanceof KeyringError) throw new DatasetUnreadableError({ cause: error });
    throw error;
  }
  if (sha256Hex(plaintext) !== found.meta.sha256) throw new DatasetUnreadableError();
  return plaintext;
}
