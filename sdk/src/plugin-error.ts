/**
 * The one error type the SDK rejects with. The host's typed protocol errors keep their stable
 * `code`, so a plugin can branch on `error.code === 'column_not_granted'` rather than on text,
 * and the host's explanation travels as `cause`.
 */
import type { ErrorCode, ProtocolError } from './protocol.ts';

/**
 * A refused or failed host call. `code` is one of the protocol's error codes; `cause` is the
 * host's detail (text) or the error that made the SDK fail.
 *
 * @example
 * try {
 *   await host.data.read(['secret']);
 * } catch (error) {
 *   if (error instanceof PluginError && error.code === 'column_not_granted') showHint();
 * }
 */
export class PluginError extends Error {
  override readonly name = 'PluginError';
  readonly code: ErrorCode;
  declare readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /**
   * The error for a protocol error message from the host or the runtime.
   *
   * @example
   * PluginError.fromProtocol({ code: 'blocked', message: 'Blocked by an administrator' });
   */
  static fromProtocol(error: ProtocolError): PluginError {
    return new PluginError(
      error.code,
      error.message,
      error.cause === undefined ? undefined : { cause: error.cause },
    );
  }
}
