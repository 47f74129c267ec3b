/**
 * The runtime folder's contract for other code: the pure validators of the plugin wire protocol
 * (the SDK validates what reaches the worker with them, and the host may too). The frame runtime
 * itself is a script (`enclave-runtime.ts`), built on its own by `vite.config.ts`. The host
 * checks blocked-egress reports with the same reduction the runtime applies (`blockedUriOf`).
 */
export {
  BLOCKED_URI_MAX_LENGTH,
  CSP_DIRECTIVES,
  blockedUriOf,
  egressReport,
} from './egress-report.ts';
export {
  ERROR_CODES,
  LIMITS,
  METHODS,
  PERMISSIONS,
  isPlainObject,
  parseHandshake,
  parseHostMessage,
  parseToWorkerMessage,
  parseWorkerMessage,
  type MethodOfCall,
  type Parsed,
} from './message-guards.ts';
