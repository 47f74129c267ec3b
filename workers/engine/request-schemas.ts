/**
 * Schemas of every request the engine worker accepts, checked before anything runs: the page is
 * our own code, but a bug or a hostile dependency there must meet a clear `invalid_request`, not a
 * kernel running on a malformed spec. Bounds keep any one request from asking for unbounded work
 * (predicates at most 16 deep and 1,000 nodes, `in` lists of at most 10,000 values, pages of at
 * most 100,000 rows).
 *
 * Each parser returns the protocol's own type; the `satisfies` checks below make the compiler
 * refuse a schema that drifts from `protocol.ts`.
 */
import { z } from 'zod';
import { LOGICAL_TYPES } from './columns/column-data.ts';
import { RESULT_LIMITS } from './results/index.ts';
import { EngineError } from './engine-error.ts';
import type {
  AppendColumnsOptions,
  ChartQuery,
  GroupBySpec,
  OpenOptions,
  Predicate,
  QuerySpec,
  StatsOptions,
} from './protocol.ts';

export const MAX_PAGE_ROWS = 100_000;
const MAX_PREDICATE_DEPTH = 16;
const MAX_PREDICATE_NODES = 1_000;
const MAX_ROWS = 0xffff_ffff;

const Id = z.string().min(1).max(100);
const ColumnName = z.string().min(1).max(1_000);
const ScalarSchema = z.union([
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z.string().max(10_000),
  z.boolean(),
]);
const Count = (max: number) => z.number().int().min(0).max(max);

const PredicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z.discriminatedUnion('op', [
    z
      .object({
        op: z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge']),
        column: ColumnName,
        value: ScalarSchema,
      })
      .strict(),
    z
      .object({
        op: z.literal('in'),
        column: ColumnName,
        values: z.array(ScalarSchema).max(10_000),
      })
      .strict(),
    z
      .object({
        op: z.enum(['contains', 'starts_with']),
        column: ColumnName,
        value: z.string().max(10_000),
        caseSensitive: z.boolean().optional(),
      })
      .strict(),
    z.object({ op: z.enum(['is_null', 'not_null']), column: ColumnName }).strict(),
    z
      .object({
        op: z.enum(['and', 'or']),
        predicates: z.array(PredicateSchema).min(1).max(MAX_PREDICATE_NODES),
      })
      .strict(),
    z.object({ op: z.literal('not'), predicate: PredicateSchema }).strict(),
  ]),
);

/**
 * Bounds a filter before the schema reads it. The walk is iterative and looks only at the
 * nesting keys, so a filter nested a hundred thousand levels deep is refused here instead of
 * overflowing the stack of the schema's recursive parse.
 */
function checkPredicateSize(value: unknown): void {
  const pending: [unknown, number][] = [[value, 1]];
  let nodes = 0;
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_PREDICATE_DEPTH) {
      throw invalid(`a filter may nest at most ${String(MAX_PREDICATE_DEPTH)} levels deep`);
    }
    nodes += 1;
    if (nodes > MAX_PREDICATE_NODES) {
      throw invalid(`a filter may have at most ${String(MAX_PREDICATE_NODES)} conditions`);
    }
    const { predicates, predicate } = node as { predicates?: unknown; predicate?: unknown };
    if (Array.isArray(predicates)) {
      if (predicates.length > MAX_PREDICATE_NODES) continue;
      for (const child of predicates) pending.push([child, depth + 1]);
    }
    if (predicate !== undefined) pending.push([predicate, depth + 1]);
  }
}

const SortKeySchema = z.object({ column: ColumnName, direction: z.enum(['asc', 'desc']) }).strict();

const QuerySpecSchema = z
  .object({
    filter: PredicateSchema.optional(),
    sort: z.array(SortKeySchema).max(32).optional(),
    limit: Count(MAX_ROWS).optional(),
  })
  .strict();

const AggregateSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('count'), as: ColumnName.optional() }).strict(),
  z
    .object({
      op: z.enum(['sum', 'mean', 'min', 'max', 'distinct_count']),
      column: ColumnName,
      as: ColumnName.optional(),
    })
    .strict(),
]);

const GroupBySpecSchema = z
  .object({
    keys: z.array(ColumnName).min(1).max(8),
    aggregates: z.array(AggregateSchema).min(1).max(64),
  })
  .strict();

const StatsOptionsSchema = z
  .object({
    bins: z.number().int().min(1).max(1_000).optional(),
    topValues: z.number().int().min(1).max(1_000).optional(),
  })
  .strict();

const ChartQuerySchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('histogram'),
      x: ColumnName,
      bins: z.number().int().min(1).max(1_000).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('bar'),
      x: ColumnName,
      aggregate: AggregateSchema,
      limit: z.number().int().min(1).max(1_000).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('line'),
      x: ColumnName,
      y: z.array(ColumnName).min(1).max(16),
      maxPoints: z.number().int().min(2).max(1_000_000).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('scatter'),
      x: ColumnName,
      y: ColumnName,
      color: ColumnName.optional(),
      maxPoints: z.number().int().min(1).max(2_000_000).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('box'), y: ColumnName, groupBy: ColumnName.optional() }).strict(),
]);

/** A plugin's id as its manifest spells it: what labels the results it hands back. */
const PluginLabel = z
  .string()
  .max(100)
  .regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/, 'must be a plugin id such as "enclave.stats"');

const OpenOptionsSchema = z
  .object({
    jobId: Id,
    format: z.enum(['csv', 'tsv', 'arrow', 'parquet', 'jsonl']).optional(),
    columnTypes: z.record(ColumnName, z.enum(LOGICAL_TYPES)).optional(),
    delimiter: z.enum([',', '\t', ';', '|']).optional(),
    label: PluginLabel.optional(),
  })
  .strict()
  .refine((options) => options.label === undefined || (options.format ?? 'arrow') === 'arrow', {
    message: "a plugin's result is Arrow IPC",
    path: ['format'],
  });

const AppendColumnsOptionsSchema = z
  .object({
    label: PluginLabel,
    maxBytes: z.number().int().min(1).max(RESULT_LIMITS.maxBytes).optional(),
  })
  .strict();

function invalid(reason: string): EngineError {
  return new EngineError({ code: 'invalid_request', message: `Invalid request: ${reason}.` });
}

function parse<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string) {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw invalid(`${what}${where}: ${issue?.message ?? 'malformed'}`);
  }
  return result.data as z.output<Schema>;
}

/**
 * The id of a table or view as sent by the page.
 *
 * @example
 * const id = parseId(sourceId);
 */
export function parseId(value: unknown): string {
  return parse(Id, value, 'the id');
}

/**
 * A page of rows: offset, limit (at most `MAX_PAGE_ROWS`) and optional column names.
 *
 * @example
 * const page = parsePage(offset, limit, columns);
 */
export function parsePage(offset: unknown, limit: unknown, columns: unknown) {
  return {
    offset: parse(Count(MAX_ROWS), offset, 'the offset'),
    limit: parse(Count(MAX_PAGE_ROWS), limit, 'the limit'),
    columns: parse(z.array(ColumnName).max(10_000).optional(), columns, 'the columns'),
  };
}

/** @example const spec = parseQuerySpec(request); */
export function parseQuerySpec(value: unknown): QuerySpec {
  if (typeof value === 'object' && value !== null && 'filter' in value) {
    checkPredicateSize(value.filter);
  }
  return parse(QuerySpecSchema, value, 'the query') satisfies QuerySpec;
}

/** @example const spec = parseGroupBySpec(request); */
export function parseGroupBySpec(value: unknown): GroupBySpec {
  return parse(GroupBySpecSchema, value, 'the grouping') satisfies GroupBySpec;
}

/** @example const options = parseStatsRequest(columns, options); */
export function parseStatsRequest(columns: unknown, options: unknown) {
  return {
    columns: parse(z.array(ColumnName).max(10_000).optional(), columns, 'the columns'),
    options: parse(StatsOptionsSchema.optional(), options, 'the options') satisfies
      StatsOptions | undefined,
  };
}

/** @example const query = parseChartQuery(request); */
export function parseChartQuery(value: unknown): ChartQuery {
  return parse(ChartQuerySchema, value, 'the chart') satisfies ChartQuery;
}

/** @example const options = parseOpenOptions(request); */
export function parseOpenOptions(value: unknown): OpenOptions {
  return parse(OpenOptionsSchema, value, 'the options') satisfies OpenOptions;
}

/** @example const options = parseAppendColumnsOptions({ label: 'enclave.stats' }); */
export function parseAppendColumnsOptions(value: unknown): AppendColumnsOptions {
  return parse(AppendColumnsOptionsSchema, value, 'the options') satisfies AppendColumnsOptions;
}
