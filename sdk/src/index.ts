/**
 * @enclave/sdk: what a plugin's worker imports to talk to the Enclave host. `connect()` gives the
 * typed host API; the Arrow helpers turn columns into bytes and back; `PluginError` carries the
 * host's stable error codes. The wire protocol's types are exported for plugins that need them.
 */
export { connect, type ConnectOptions, type PluginEndpoint, type PluginHost } from './connect.ts';
export { PluginError } from './plugin-error.ts';
export {
  readColumns,
  tableFromColumns,
  tableFromIpc,
  tableToIpc,
  type ColumnValues,
  type Table,
} from './arrow.ts';
export type {
  ArrowPayload,
  ColumnDescription,
  ErrorCode,
  HandshakeMessage,
  MethodMap,
  MethodName,
  PluginPermission,
  ProtocolError,
  SessionInfo,
  UiEvent,
  ViewNode,
} from './protocol.ts';
