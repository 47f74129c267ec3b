/**
 * External data sources: running a user's SQL against a PostgreSQL server that an administrator
 * configured, on the user's behalf, read-only and bounded in time and rows, with the result as an
 * Arrow IPC stream, and only to hosts the administrator allows (`CONNECTION_ALLOWED_HOSTS`). The
 * implementation and its reasons are in `read-only-query.ts` and `host-allow-list.ts`.
 */
export {
  ALLOWED_HOSTS_SETTING,
  HostAllowList,
  HostAllowListError,
  type HostDecision,
  type HostLookup,
} from './host-allow-list.ts';
export {
  DEFAULT_BATCH_ROWS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DataSourceError,
  IDLE_IN_TRANSACTION_TIMEOUT_MS,
  runReadOnlyQuery,
  type DataSourceErrorCode,
  type DataSourceTarget,
  type ReadOnlyQueryOptions,
  type ReadOnlyQueryOutcome,
  type ReadOnlyQueryResult,
} from './read-only-query.ts';
