/**
 * The one error a broker handler throws to tell the plugin why its call failed (a result that is
 * not valid, a full store). Any other error a handler throws reaches the plugin only as a generic
 * `failed`, so nothing of the host's internals leaks into a plugin's hands.
 */
import type { ErrorCode } from '../../../sdk/src/protocol.ts';

export class PluginCallError extends Error {
  override readonly name: string = 'PluginCallError';
  /**
   * @example
   * throw new PluginCallError('invalid_result', 'The result has 9 rows; the table has 10.');
   */
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
