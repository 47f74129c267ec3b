/**
 * Running a user's SQL against an external PostgreSQL on their behalf, read-only, and streaming
 * the result as Arrow.
 *
 * Why it is built this way:
 * - One `pg.Client` per query, never a pool: the session carries transaction state and settings
 *   the user's SQL could touch, and none of it may reach another query.
 * - The SQL runs inside `BEGIN TRANSACTION READ ONLY` and through pg-cursor, which uses the
 *   extended protocol: PostgreSQL then accepts exactly one statement, so `commit; drop table t`
 *   is refused by the server, not by a parser of ours that could be fooled. The transaction is
 *   always rolled back.
 * - The result is read a batch at a time and encoded as it goes, at most `rowLimit` rows; one row
 *   past the limit is asked for, so `truncated` says whether rows were really left behind.
 * - Values arrive as PostgreSQL's text (this client's type parsers pass it through) and are
 *   converted in `postgres-values.ts`; pg's global parsers, which the app's store relies on, are
 *   left alone.
 * - The password is never in a message: errors are built here from the server's message and
 *   the target's address, scrubbed of the password, and carry no `cause` that could hold it.
 * - The client ends on every path: end of result, error, abort, the consumer stopping early. A
 *   consumer that never reads the stream should abort the signal; otherwise PostgreSQL ends the
 *   idle session itself after `IDLE_IN_TRANSACTION_TIMEOUT_MS`.
 * - The host must pass the administrator's allow-list (`host-allow-list.ts`) before any client
 *   exists; a name allowed through its addresses is connected to at the address that was checked,
 *   with TLS verified against the name.
 */
import { isIP } from 'node:net';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { arrowStreamFromRows, type ArrowColumn } from '../arrow/index.ts';
import { ApiError } from '../errors/index.ts';
import { ALLOWED_HOSTS_SETTING, type HostAllowList, type HostLookup } from './host-allow-list.ts';
import { UnreadableValueError, kindForOid, valueFromText } from './postgres-values.ts';

/** Where to run the query and as whom. */
export interface DataSourceTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** Connect with TLS, verifying the server's certificate against Node's trusted CAs. */
  ssl: boolean;
}

export interface ReadOnlyQueryOptions {
  /** Longest PostgreSQL may spend on the statement (on each fetch of a batch). */
  statementTimeoutMs: number;
  /** Most rows to return; reading stops there. */
  rowLimit: number;
  /** Rows fetched and encoded at a time; default `DEFAULT_BATCH_ROWS`. */
  batchRows?: number;
  /** Longest to wait for the connection and sign-in; default `DEFAULT_CONNECT_TIMEOUT_MS`. */
  connectTimeoutMs?: number;
  /** Aborting ends the connection at once; the stream then throws the abort reason. */
  signal?: AbortSignal;
  /**
   * The hosts queries may reach (`CONNECTION_ALLOWED_HOSTS`; `HostAllowList.ANY` for all). A
   * host outside it is refused with `host_not_allowed` before any connection is attempted.
   */
  allowedHosts: HostAllowList;
  /** Resolves names for the allow-list check; default `dns.promises.lookup` (tests replace it). */
  lookup?: HostLookup;
}

/** How a query's stream ended. */
export interface ReadOnlyQueryOutcome {
  /** Rows read from PostgreSQL and passed to the stream. */
  rowCount: number;
  /** PostgreSQL had rows that were not sent (the row limit, or the consumer stopped early). */
  truncated: boolean;
}

export interface ReadOnlyQueryResult {
  columns: ArrowColumn[];
  /** The result as an Arrow IPC stream; iterate it to the end, or stop it, to free the connection. */
  stream: AsyncIterable<Uint8Array>;
  /** Settles once the connection is released: the outcome, or the error the stream threw. */
  done: Promise<ReadOnlyQueryOutcome>;
}

export type DataSourceErrorCode =
  | 'connection_failed'
  | 'query_failed'
  | 'statement_timeout'
  | 'read_only_violation'
  | 'host_not_allowed';

const statusByCode = {
  // 400 as when the connection is created with such a host: the connection's settings are what
  // is refused (as with read_only_violation), not the caller, whose 403 would mean permissions.
  host_not_allowed: 400,
  connection_failed: 502,
  query_failed: 400,
  statement_timeout: 504,
  read_only_violation: 400,
} as const;

/**
 * A query could not be run or failed; the message is safe to show and never holds the password.
 *
 * @example
 * throw new DataSourceError('query_failed', 'The query failed: division by zero (SQLSTATE 22012)', '22012');
 */
export class DataSourceError extends ApiError {
  override readonly name = 'DataSourceError';
  declare readonly code: DataSourceErrorCode;
  constructor(
    code: DataSourceErrorCode,
    message: string,
    /** PostgreSQL's SQLSTATE, when the server reported the failure. */
    readonly sqlState?: string,
  ) {
    super(statusByCode[code], code, message);
  }
}

export const DEFAULT_BATCH_ROWS = 1000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** A consumer that stops reading for this long loses its query; PostgreSQL frees the session. */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
/** Longest the polite goodbye (close the cursor, roll back) may take before the socket is cut. */
const RELEASE_GRACE_MS = 5_000;
/** How long past the statement timeout to wait for PostgreSQL's own before giving up on it. */
const WATCHDOG_SLACK_MS = 1_000;
const APPLICATION_NAME = 'enclave-data-source';

const SQLSTATE_READ_ONLY_TRANSACTION = '25006';
const SQLSTATE_QUERY_CANCELED = '57014';

type TextRow = (string | null)[];

/**
 * pg-cursor has no handlers for COPY; without these, pg would call a missing method and the
 * resulting TypeError would escape as an uncaught exception. COPY's output is dropped and the
 * query refused once it ends.
 */
class ResultCursor extends Cursor<TextRow> {
  copyAttempted = false;
  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    this.copyAttempted = true;
    connection.sendCopyFail('COPY is not supported here.');
  }
  handleCopyData(): void {
    this.copyAttempted = true;
  }
}

/**
 * Runs one read-only statement and returns its columns and its rows as an Arrow IPC stream.
 * Connection, sign-in and the first batch happen before it resolves, so a bad target or bad SQL
 * rejects here with a `DataSourceError`; later failures are thrown by the stream.
 *
 * @example
 * const result = await runReadOnlyQuery(target, 'select * from samples', {
 *   statementTimeoutMs: 30_000,
 *   rowLimit: 100_000,
 *   signal: request.signal,
 * });
 * for await (const chunk of result.stream) response.write(chunk);
 * const { rowCount, truncated } = await result.done;
 */
export async function runReadOnlyQuery(
  target: DataSourceTarget,
  sql: string,
  options: ReadOnlyQueryOptions,
): Promise<ReadOnlyQueryResult> {
  const { statementTimeoutMs, rowLimit, signal } = options;
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  requireWholeNumber('statementTimeoutMs', statementTimeoutMs, 1);
  requireWholeNumber('rowLimit', rowLimit, 0);
  requireWholeNumber('batchRows', batchRows, 1);
  signal?.throwIfAborted();
  requireTarget(target);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const destination = await options.allowedHosts.check(target.host, {
    lookup: options.lookup,
    timeoutMs: connectTimeoutMs,
    signal,
  });
  if (!destination.allowed) throw hostNotAllowed(target.host);

  const scrub = (text: string) =>
    target.password ? text.replaceAll(target.password, '[password]') : text;
  const client = new pg.Client({
    // The address the allow-list checked, when it checked addresses: resolving the name again
    // here could give another answer (DNS rebinding).
    host: destination.connectTo,
    port: target.port,
    database: target.database,
    user: target.user,
    // pg fills a falsy password from PGPASSWORD or ~/.pgpass, which would send the server's own
    // credentials to whatever host the connection names; a function is used as it is.
    password: () => target.password,
    // Connecting to a checked address, TLS still verifies the certificate against the name (and
    // sends it as SNI); rejectUnauthorized stays at Node's default, true.
    ssl: target.ssl && destination.pinned ? { servername: target.host } : target.ssl,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: APPLICATION_NAME,
    types: { getTypeParser: () => (text: string) => text },
  });
  // A dropped connection is reported here as well as to the pending query; without a listener
  // the 'error' event would take the process down.
  client.on('error', () => {});

  let cursor: ResultCursor | undefined;
  let cursorOpen = false;
  let released: Promise<void> | undefined;
  const release = (polite: boolean) => {
    signal?.removeEventListener('abort', onAbort);
    released ??= endSession(client, polite ? cursor : undefined, cursorOpen, polite);
    return released;
  };
  const onAbort = () => void release(false);
  signal?.addEventListener('abort', onAbort, { once: true });

  const failure = (error: unknown): unknown => {
    if (signal?.aborted) return signal.reason;
    return dataSourceError(error, target, statementTimeoutMs, scrub);
  };

  try {
    await client.connect();
  } catch (error) {
    await release(false);
    throw signal?.aborted ? signal.reason : connectionFailed(error, target, scrub);
  }

  let timedOut = false;
  /**
   * PostgreSQL enforces the statement timeout, but a statement can lift its own for the batches
   * after the first, and a server that stops answering enforces nothing; so each wait is also
   * bounded here, and one that outlives the timeout ends the connection.
   */
  const bounded = async <T>(work: Promise<T>): Promise<T> => {
    const watchdog = setTimeout(() => {
      timedOut = true;
      void release(false);
    }, statementTimeoutMs + WATCHDOG_SLACK_MS);
    try {
      return await work;
    } catch (error) {
      throw timedOut ? statementTimedOut(statementTimeoutMs) : error;
    } finally {
      clearTimeout(watchdog);
    }
  };

  let delivered = 0;
  let exhausted = false;
  let truncated = false;
  const readBatch = async (): Promise<{ rows: TextRow[]; fields: pg.FieldDef[] }> => {
    signal?.throwIfAborted();
    const room = rowLimit - delivered;
    // One row past the limit, so a result of exactly `rowLimit` rows is not called truncated.
    const wanted = Math.min(batchRows, room + 1);
    let read: { rows: TextRow[]; fields: pg.FieldDef[] };
    try {
      read = await bounded(readRows(cursor!, wanted));
    } catch (error) {
      // PostgreSQL has closed the portal with the error; closing it again would wait forever.
      cursorOpen = false;
      throw cursor!.copyAttempted ? copyRefused() : error;
    }
    if (cursor!.copyAttempted) throw copyRefused();
    const { rows, fields } = read;
    // A full batch leaves the portal suspended with possibly more rows; a short one ended it.
    cursorOpen = rows.length === wanted;
    exhausted = !cursorOpen;
    if (rows.length > room) {
      truncated = true;
      exhausted = true;
      rows.length = room;
    }
    delivered += rows.length;
    return { rows, fields };
  };

  let first: { rows: TextRow[]; fields: pg.FieldDef[] };
  try {
    await bounded(
      client.query(
        [
          'BEGIN TRANSACTION READ ONLY',
          `SET LOCAL statement_timeout = ${String(statementTimeoutMs)}`,
          `SET LOCAL idle_in_transaction_session_timeout = ${String(IDLE_IN_TRANSACTION_TIMEOUT_MS)}`,
          // The text forms postgres-values.ts reads: ISO dates, UTC, floats that round-trip.
          "SET LOCAL DateStyle = 'ISO'",
          "SET LOCAL TimeZone = 'UTC'",
          'SET LOCAL extra_float_digits = 3',
          // Once the transaction has taken a snapshot, PostgreSQL refuses to make it read-write
          // (SQLSTATE 25001); without this a lone `set transaction read write` would succeed.
          'SELECT 1',
        ].join('; '),
      ),
    );
    cursor = client.query(new ResultCursor(sql, undefined, { rowMode: 'array' }));
    cursorOpen = true;
    first = await readBatch();
  } catch (error) {
    await release(!signal?.aborted);
    throw failure(error);
  }

  const columns: ArrowColumn[] = first.fields.map((field) => ({
    name: field.name,
    kind: kindForOid(field.dataTypeID),
  }));
  const convert = (rows: TextRow[]): unknown[][] =>
    rows.map((row) =>
      row.map((text, index) => (text === null ? null : valueFromText(columns[index]!.kind, text))),
    );

  async function* batches(): AsyncIterable<unknown[][]> {
    signal?.throwIfAborted();
    yield convert(first.rows);
    while (!exhausted) yield convert((await readBatch()).rows);
  }

  let settle!: { resolve(outcome: ReadOnlyQueryOutcome): void; reject(error: unknown): void };
  const done = new Promise<ReadOnlyQueryOutcome>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers who only read the stream see its error there; an unobserved `done` must not also
  // surface as an unhandled rejection.
  done.catch(() => {});

  async function* stream(): AsyncIterable<Uint8Array> {
    let error: unknown;
    try {
      yield* arrowStreamFromRows(columns, batches());
    } catch (caught) {
      error = failure(caught);
      throw error;
    } finally {
      await release(!signal?.aborted);
      if (error !== undefined) settle.reject(error);
      else settle.resolve({ rowCount: delivered, truncated: truncated || !exhausted });
    }
  }

  return { columns, stream: stream(), done };
}

function hostNotAllowed(host: string): DataSourceError {
  // The same words whether the name resolves somewhere not allowed or does not resolve at all,
  // so the refusal tells nothing of the server's internal DNS.
  const why = isIP(host)
    ? `the address is not in ${ALLOWED_HOSTS_SETTING}`
    : `neither the name nor every address it resolves to is in ${ALLOWED_HOSTS_SETTING}`;
  return new DataSourceError(
    'host_not_allowed',
    `Connections may not reach "${host}": ${why}, the administrator's list of hosts connections may reach.`,
  );
}

function statementTimedOut(statementTimeoutMs: number): DataSourceError {
  return new DataSourceError(
    'statement_timeout',
    `The query ran longer than ${String(statementTimeoutMs)} ms and was stopped.`,
  );
}

function copyRefused(): DataSourceError {
  return new DataSourceError('query_failed', 'COPY is not supported here; use a SELECT.');
}

function readRows(
  cursor: ResultCursor,
  count: number,
): Promise<{ rows: TextRow[]; fields: pg.FieldDef[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(count, (error, rows, result) => {
      if (error) reject(error);
      // A cursor already at its end answers without a result.
      else resolve({ rows, fields: result?.fields ?? [] });
    });
  });
}

/**
 * Closes the portal if it is still open and rolls back (politely), then ends the connection. The
 * polite part is bounded: a server that stops answering gets its socket cut, which rolls back too.
 */
async function endSession(
  client: pg.Client,
  cursor: ResultCursor | undefined,
  cursorOpen: boolean,
  polite: boolean,
): Promise<void> {
  if (polite) {
    const goodbye = async () => {
      if (cursor && cursorOpen) await cursor.close();
      await client.query('ROLLBACK');
    };
    await withinGrace(goodbye().catch(() => {}));
  }
  await withinGrace(client.end().catch(() => {}));
}

async function withinGrace(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, RELEASE_GRACE_MS);
  });
  await Promise.race([work, grace]);
  clearTimeout(timer);
}

function connectionFailed(
  error: unknown,
  target: DataSourceTarget,
  scrub: (text: string) => string,
): DataSourceError {
  const where = `${target.user}@${target.host}:${String(target.port)}/${target.database}`;
  const sqlState = error instanceof pg.DatabaseError ? error.code : undefined;
  const reason = sqlState ? `${describeError(error)} (SQLSTATE ${sqlState})` : describeError(error);
  return new DataSourceError(
    'connection_failed',
    scrub(`Could not connect to ${where}: ${reason}`),
    sqlState,
  );
}

function dataSourceError(
  error: unknown,
  target: DataSourceTarget,
  statementTimeoutMs: number,
  scrub: (text: string) => string,
): unknown {
  if (error instanceof DataSourceError) return error;
  if (error instanceof UnreadableValueError) {
    return new DataSourceError('query_failed', scrub(error.message));
  }
  // Enclave's own bugs are not the connection's fault and must not be reported as such.
  if (error instanceof TypeError || error instanceof RangeError) return error;
  if (!(error instanceof pg.DatabaseError)) {
    const where = `${target.host}:${String(target.port)}`;
    return new DataSourceError(
      'connection_failed',
      scrub(`The connection to ${where} failed during the query: ${describeError(error)}`),
    );
  }
  const sqlState = error.code ?? 'unknown';
  const reported = scrub(`${error.message} (SQLSTATE ${sqlState})`);
  if (sqlState === SQLSTATE_READ_ONLY_TRANSACTION) {
    return new DataSourceError(
      'read_only_violation',
      `Queries here may only read, and this one tried to change something: ${reported}`,
      sqlState,
    );
  }
  // 57014 is also an administrator's pg_cancel_backend, which is no timeout.
  if (sqlState === SQLSTATE_QUERY_CANCELED && error.message.includes('statement timeout')) {
    return new DataSourceError(
      'statement_timeout',
      `The query ran longer than ${String(statementTimeoutMs)} ms and was stopped: ${reported}`,
      sqlState,
    );
  }
  if (sqlState.startsWith('08') || sqlState.startsWith('57P')) {
    return new DataSourceError(
      'connection_failed',
      `The server ended the connection: ${reported}`,
      sqlState,
    );
  }
  return new DataSourceError('query_failed', `The query failed: ${reported}`, sqlState);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** pg would fill an empty host, user or database from PG* variables or defaults; refuse instead. */
function requireTarget(target: DataSourceTarget): void {
  for (const field of ['host', 'user', 'database'] as const) {
    if (target[field].trim() === '') {
      throw new DataSourceError('connection_failed', `The connection names no ${field}.`);
    }
  }
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    throw new DataSourceError('connection_failed', `The connection's port must be 1 to 65535.`);
  }
}

function requireWholeNumber(name: string, value: number, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be a whole number of at least ${String(minimum)}.`);
  }
}
