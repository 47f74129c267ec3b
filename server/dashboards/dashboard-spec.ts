/**
 * The dashboard spec: what a dashboard shows, as data the server can check. Every object is
 * strict and every list and string is bounded, so a spec is never a place to park arbitrary JSON,
 * and its serialized size is capped on top (a valid spec of 50 views could otherwise grow past a
 * megabyte of SQL and filter values).
 *
 * A view names its source by reference only: a dataset (optionally one version) or a connection
 * with the SQL to run through it. The reference grants nothing; whoever opens the dashboard still
 * needs `dataset.view` on the dataset or `connection.query` on the connection to see any data.
 */
import { z } from '@hono/zod-openapi';
import { IdSchema, NameSchema } from '../schemas/index.ts';

/** The largest spec, serialized as JSON (UTF-8), that a dashboard may hold: 256 KiB. */
export const DASHBOARD_SPEC_MAX_BYTES = 256 * 1024;
export const DASHBOARD_MAX_VIEWS = 50;
export const VIEW_MAX_FILTERS = 20;
export const VIEW_SQL_MAX_CHARS = 20_000;
export const COLUMN_NAME_MAX_CHARS = 200;

// NUL is refused by PostgreSQL's jsonb, and the other control characters and bidi overrides make
// a column name or a value read differently from what it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// SQL may span lines and be indented; everything else of the above stays refused.
const controlCharactersButLayout =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

// A lone UTF-16 surrogate survives JSON.stringify as an escape that jsonb refuses (a 500 on
// save), and it means nothing as text anyway.
const loneSurrogate = /\p{Cs}/u;
const wellFormed = (value: string) => !loneSurrogate.test(value);
const WELL_FORMED = 'must be well-formed Unicode';

/** A title: a name as everywhere else, and well-formed Unicode (the spec is stored as jsonb). */
export const TitleSchema = NameSchema.refine(wellFormed, WELL_FORMED);

const ColumnNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(COLUMN_NAME_MAX_CHARS, `must be at most ${String(COLUMN_NAME_MAX_CHARS)} characters`)
  .refine((value) => !controlCharacters.test(value), 'must not contain control characters')
  .refine(wellFormed, WELL_FORMED);

const ViewIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'must be a short slug: 1–64 lowercase letters, digits, _ or -, starting with a letter or digit',
  );

export const ViewKindSchema = z.enum(['table', 'histogram', 'bar', 'line', 'scatter', 'box']);

const DatasetSourceSchema = z
  .object({
    type: z.literal('dataset'),
    datasetId: IdSchema,
    version: z
      .number()
      .int()
      .min(1)
      .max(2_147_483_647)
      .optional()
      .openapi({ description: 'A fixed version; when absent the view follows the latest.' }),
  })
  .strict();

const ConnectionSourceSchema = z
  .object({
    type: z.literal('connection'),
    connectionId: IdSchema,
    sql: z
      .string()
      .min(1, 'must not be empty')
      .max(VIEW_SQL_MAX_CHARS, `must be at most ${String(VIEW_SQL_MAX_CHARS)} characters`)
      .refine(
        (value) => !controlCharactersButLayout.test(value),
        'must not contain control characters',
      )
      .refine(wellFormed, WELL_FORMED),
  })
  .strict();

const SourceSchema = z.discriminatedUnion('type', [DatasetSourceSchema, ConnectionSourceSchema]);

const EncodingSchema = z
  .object({
    x: ColumnNameSchema.optional(),
    y: ColumnNameSchema.optional(),
    color: ColumnNameSchema.optional(),
    groupBy: ColumnNameSchema.optional(),
    aggregate: z.enum(['count', 'sum', 'mean', 'min', 'max']).optional(),
  })
  .strict();

const FilterScalarSchema = z.union([
  z
    .string()
    .max(1000, 'must be at most 1000 characters')
    .refine((value) => !controlCharacters.test(value), 'must not contain control characters')
    .refine(wellFormed, WELL_FORMED),
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z.boolean(),
]);

const FilterSchema = z
  .object({
    column: ColumnNameSchema,
    op: z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'contains', 'is_null']),
    value: z
      .union([FilterScalarSchema, z.array(FilterScalarSchema).min(1).max(1000)])
      .optional()
      .openapi({ description: 'A list for `in`, absent for `is_null`, one value otherwise.' }),
  })
  .strict()
  .superRefine((filter, context) => {
    const isList = Array.isArray(filter.value);
    if (filter.op === 'is_null') {
      if (filter.value !== undefined) {
        context.addIssue({ code: 'custom', path: ['value'], message: 'is_null takes no value' });
      }
    } else if (filter.op === 'in') {
      if (!isList) {
        context.addIssue({ code: 'custom', path: ['value'], message: 'in takes a list of values' });
      }
    } else if (filter.value === undefined || isList) {
      context.addIssue({
        code: 'custom',
        path: ['value'],
        message: `${filter.op} takes one value`,
      });
    }
  });

export const ViewSchema = z
  .object({
    id: ViewIdSchema,
    title: TitleSchema,
    kind: ViewKindSchema,
    source: SourceSchema,
    encoding: EncodingSchema.optional(),
    filters: z
      .array(FilterSchema)
      .max(VIEW_MAX_FILTERS, `at most ${String(VIEW_MAX_FILTERS)} filters`)
      .optional(),
  })
  .strict()
  .openapi('DashboardView');

/**
 * A dashboard's spec: `{ version: 1, views }`, at most 50 views with distinct ids. The size cap
 * (`DASHBOARD_SPEC_MAX_BYTES`) is checked by `specByteSize` after this schema, so that a spec too
 * large is told apart from a malformed one (413, not 400).
 *
 * @example
 * DashboardSpecSchema.parse({
 *   version: 1,
 *   views: [{ id: 'dose', title: 'Dose', kind: 'histogram',
 *             source: { type: 'dataset', datasetId }, encoding: { x: 'dose_mg' } }],
 * });
 */
export const DashboardSpecSchema = z
  .object({
    version: z.literal(1),
    views: z
      .array(ViewSchema)
      .max(DASHBOARD_MAX_VIEWS, `at most ${String(DASHBOARD_MAX_VIEWS)} views`),
  })
  .strict()
  .superRefine((spec, context) => {
    const seen = new Set<string>();
    spec.views.forEach((view, index) => {
      if (seen.has(view.id)) {
        context.addIssue({
          code: 'custom',
          path: ['views', index, 'id'],
          message: `view id "${view.id}" is used twice`,
        });
      }
      seen.add(view.id);
    });
  })
  .openapi('DashboardSpec');

export type DashboardSpec = z.infer<typeof DashboardSpecSchema>;
export type DashboardView = z.infer<typeof ViewSchema>;

/**
 * The spec's size as stored: its JSON serialization in UTF-8 bytes.
 *
 * @example
 * if (specByteSize(spec) > DASHBOARD_SPEC_MAX_BYTES) throw new SpecTooLargeError(…);
 */
export function specByteSize(spec: DashboardSpec): number {
  return Buffer.byteLength(JSON.stringify(spec), 'utf8');
}

/**
 * The connection queries a spec runs, as `connectionId` + SQL pairs; a change that adds one must
 * come from someone who may run it (see `dashboard-routes.ts`).
 *
 * @example
 * connectionQueries(spec); // [{ connectionId: '…', sql: 'select …' }]
 */
export function connectionQueries(spec: DashboardSpec): { connectionId: string; sql: string }[] {
  return spec.views.flatMap((view) =>
    view.source.type === 'connection'
      ? [{ connectionId: view.source.connectionId, sql: view.source.sql }]
      : [],
  );
}
