/**
 * `POST /connections/{id}/query`: runs the caller's SQL through a connection they may `use`,
 * read-only and bounded by the statement timeout and row limit, and streams the result back as
 * an Arrow IPC stream. The password is opened from the keyring only here, only for the data
 * source, and every message that comes back is scrubbed of it once more.
 *
 * Auditing, in two events joined by the request id: `connection.query` (outcome `allowed`, with
 * the SQL and the limits) is recorded before the data source is contacted, so a query is on
 * the record even if the process dies while rows are leaving; `connection.query.result` (outcome
 * `ok` with the row count and whether rows were cut off, or `error` with the reason) is recorded
 * when the stream has ended or failed. Failures up to the first batch of rows (unreachable
 * server, bad credentials, bad SQL, a write, a timeout) are answered as JSON errors; a failure
 * after streaming began can only cut the stream short, and the result event records it.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { requestActor, requireAccess } from '../authz/index.ts';
import {
  DataSourceError,
  runReadOnlyQuery,
  type HostAllowList,
  type ReadOnlyQueryResult,
} from '../data-sources/index.ts';
import { ApiError, NotFoundError, validationHook } from '../errors/index.ts';
import { KeyringError } from '../keyring/index.ts';
import { ErrorResponseSchema, IdParamsSchema, errorResponses } from '../schemas/index.ts';
import { schema } from '../store/index.ts';
import { redactSecret, secretContext, storedSettings } from './connection-settings.ts';

const { connections } = schema;

/**
 * The media type of an Arrow IPC stream.
 *
 * @example
 * if (response.headers.get('content-type') === ARROW_STREAM_TYPE) readArrowIpcSummary(bytes);
 */
export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

/** Longest SQL text a query may carry. */
export const MAX_SQL_LENGTH = 100_000;

/**
 * The bounds on every query (`CONNECTION_STATEMENT_TIMEOUT_MS`, `CONNECTION_ROW_LIMIT`).
 *
 * @example
 * const limits: ConnectionQueryLimits = { statementTimeoutMs: 30_000, rowLimit: 100_000 };
 */
export interface ConnectionQueryLimits {
  statementTimeoutMs: number;
  rowLimit: number;
}

/**
 * What the connection routes are built with: the query limits and the hosts connections may
 * reach (`CONNECTION_ALLOWED_HOSTS`; `HostAllowList.ANY` allows every host).
 *
 * @example
 * const options: ConnectionRoutesOptions = { ...limits, allowedHosts: config.connectionAllowedHosts };
 */
export interface ConnectionRoutesOptions extends ConnectionQueryLimits {
  allowedHosts: HostAllowList;
}

const QuerySchema = z
  .object({
    sql: z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_SQL_LENGTH, `must be at most ${MAX_SQL_LENGTH} characters`)
      .openapi({ example: 'select id, label from samples order by id' }),
  })
  .strict()
  .openapi('ConnectionQuery');

/** The stored password cannot be opened: the row was altered or the master key changed. */
export class SecretUnavailableError extends ApiError {
  constructor() {
    super(
      500,
      'secret_unavailable',
      "The connection's stored password cannot be opened (it was altered, or the master key changed); someone with `edit` must set it again.",
    );
  }
}

function errorAnswer(description: string) {
  return { description, content: { 'application/json': { schema: ErrorResponseSchema } } };
}

const queryRoute = createRoute({
  method: 'post',
  path: '/connections/{id}/query',
  tags: ['connections'],
  security: [{ DPoP: [] }],
  summary: 'Run a read-only query through the connection (needs `use`); the result as Arrow',
  description:
    'The SQL runs in a read-only transaction with a statement timeout and a row limit; the ' +
    '`Enclave-Row-Limit` and `Enclave-Statement-Timeout-Ms` headers say which. A result longer ' +
    'than the limit is cut off there. Failures before the first rows are JSON errors: 400 ' +
    '`query_failed`, `read_only_violation` or `host_not_allowed` (the host is outside the ' +
    "administrator's `CONNECTION_ALLOWED_HOSTS`; nothing was contacted), 502 " +
    '`connection_failed`, 504 `statement_timeout`.',
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: QuerySchema } } },
  },
  responses: {
    200: {
      description: 'The result as an Arrow IPC stream.',
      content: { [ARROW_STREAM_TYPE]: { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...errorResponses(400, 404),
    500: errorAnswer('The stored password cannot be opened (`secret_unavailable`).'),
    502: errorAnswer(
      'The database could not be reached or refused the sign-in (`connection_failed`).',
    ),
    504: errorAnswer('The query ran past the statement timeout (`statement_timeout`).'),
  },
});

/** Why a query ended badly, as the result event records it (never the password). */
function failureDetails(error: unknown, password: string) {
  if (error instanceof DataSourceError) {
    return {
      code: error.code,
      message: redactSecret(error.message, password),
      ...(error.sqlState ? { sqlState: error.sqlState } : {}),
    };
  }
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  // The request's abort reason, or something unforeseen: its text may come from anywhere.
  return { code: 'aborted', message: 'The query was stopped before it finished.' };
}

/** A data source's error, rebuilt with its message scrubbed once more. */
function scrubbed(error: unknown, password: string): unknown {
  if (!(error instanceof DataSourceError)) return error;
  return new DataSourceError(error.code, redactSecret(error.message, password), error.sqlState);
}

/**
 * The result's Arrow chunks as a web stream. A failure after the first chunk can only cut the
 * response short, so the stream errors with a message that says nothing of the cause (that is
 * in the result event).
 */
function responseStream(result: ReadOnlyQueryResult): ReadableStream<Uint8Array> {
  const chunks = result.stream[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch {
        controller.error(new Error('The query failed while its result was being sent.'));
      }
    },
    async cancel() {
      // The client went away: stop reading and release the connection.
      await chunks.return?.();
    },
  });
}

async function recordResult(
  c: Context<AppEnv>,
  id: string,
  queryEventId: string,
  startedAt: number,
  outcome: { ok: true; rowCount: number; truncated: boolean } | { ok: false; details: object },
) {
  await c.var.audit.record({
    ...requestActor(c),
    action: 'connection.query.result',
    resourceType: 'connection',
    resourceId: id,
    outcome: outcome.ok ? 'ok' : 'error',
    details: {
      queryEventId,
      durationMs: Math.round(performance.now() - startedAt),
      ...(outcome.ok
        ? { rowCount: outcome.rowCount, truncated: outcome.truncated }
        : outcome.details),
    },
  });
}

/**
 * The query route, mounted with the other connection routes.
 *
 * @example
 * app.route('/', connectionQueryRoutes({ statementTimeoutMs: 30_000, rowLimit: 100_000, allowedHosts }));
 */
export function connectionQueryRoutes(options: ConnectionRoutesOptions) {
  const { allowedHosts, ...limits } = options;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(queryRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { sql } = c.req.valid('json');
    const { subject } = await requireAccess(c, 'connection.query', { type: 'connection', id });
    const [row] = await c.var.store.asUser(subject.userId, (db) =>
      db.select().from(connections).where(eq(connections.id, id)),
    );
    if (!row) throw new NotFoundError('No connection with this id, or you may not see it.');
    const settings = storedSettings(row.settings);
    const startedAt = performance.now();
    const started = await c.var.audit.record({
      ...requestActor(c),
      action: 'connection.query',
      resourceType: 'connection',
      resourceId: id,
      outcome: 'allowed',
      details: { sql, rowLimit: limits.rowLimit, statementTimeoutMs: limits.statementTimeoutMs },
    });
    let password: string;
    try {
      password = c.var.keyring.openText(row.wrappedKey, row.secret, secretContext(id));
    } catch (error) {
      if (!(error instanceof KeyringError)) throw error;
      const refusal = new SecretUnavailableError();
      await recordResult(c, id, started.id, startedAt, {
        ok: false,
        details: failureDetails(refusal, ''),
      });
      throw refusal;
    }
    let result: ReadOnlyQueryResult;
    try {
      result = await runReadOnlyQuery({ ...settings, password }, sql, {
        statementTimeoutMs: limits.statementTimeoutMs,
        rowLimit: limits.rowLimit,
        allowedHosts,
        signal: c.req.raw.signal,
      });
    } catch (error) {
      await recordResult(c, id, started.id, startedAt, {
        ok: false,
        details: failureDetails(error, password),
      });
      throw scrubbed(error, password);
    }
    result.done
      .then(
        (outcome) => recordResult(c, id, started.id, startedAt, { ok: true, ...outcome }),
        (error: unknown) =>
          recordResult(c, id, started.id, startedAt, {
            ok: false,
            details: failureDetails(error, password),
          }),
      )
      // The response is gone by now; an audit failure here must not take the process down.
      .catch(() => undefined);
    return c.body(responseStream(result), 200, {
      'content-type': ARROW_STREAM_TYPE,
      'cache-control': 'no-store',
      'enclave-row-limit': String(limits.rowLimit),
      'enclave-statement-timeout-ms': String(limits.statementTimeoutMs),
    });
  });
}
