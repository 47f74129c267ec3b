/**
 * The plugin broker's contract: the pure core that serves one plugin instance on its port. The
 * React parts (the frame, the panel) import only from here.
 *
 * @example
 * import { createPluginBroker } from './broker/index.ts';
 * const broker = createPluginBroker({ port, session, handlers, report, onTerminate });
 */
export {
  DEFAULT_BROKER_LIMITS,
  createPluginBroker,
  terminationFor,
  type BrokerLimits,
  type PluginBroker,
  type PluginBrokerHandlers,
  type PluginBrokerOptions,
  type PluginEvent,
  type PluginEventAction,
  type PluginInstanceState,
  type PluginTermination,
  type PreparedWrite,
} from './plugin-broker.ts';
export { PluginCallError } from './plugin-call-error.ts';
export {
  SELECTION_MAX_ROWS,
  STORAGE_KEY_MAX_LENGTH,
  STORAGE_VALUE_MAX_LENGTH,
} from './message-schemas.ts';
