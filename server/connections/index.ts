/**
 * Connections: external databases the server queries on behalf of permitted callers, so that a
 * database password is entered once, stored sealed, and never handed to a browser. Grants are
 * per connection (`use` runs queries, `edit` also changes it and its password); opening a
 * dashboard built on a connection grants nothing on the connection itself.
 */
export {
  ConnectionGrantSchema,
  ConnectionSchema,
  HostNotAllowedError,
  PasswordRequiredError,
  connectionRoutes,
} from './connection-routes.ts';
export {
  ARROW_STREAM_TYPE,
  type ConnectionQueryLimits,
  type ConnectionRoutesOptions,
} from './query-route.ts';
export { connectionReverters } from './connection-reverters.ts';
