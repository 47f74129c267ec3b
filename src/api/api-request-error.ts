/**
 * The error every failed API call becomes in the SPA, carrying what the server said: its HTTP
 * status, the machine-readable code and the request id a user quotes when reporting a problem.
 * The error body shape is the server's own type, so a change there breaks the build here.
 */
import * as z from 'zod/mini';
import type { ErrorBody } from '../../server/errors/index.ts';

const errorBodySchema: z.ZodMiniType<ErrorBody> = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
});

/** A failed API call: the server (or the service worker) answered with an error, or nobody did. */
export class ApiRequestError extends Error {
  override readonly name: string = 'ApiRequestError';
  constructor(
    /** HTTP status; 0 when no response arrived at all. */
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request id of the failed call, when the answer carried one. */
    readonly requestId?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Reads an error response into an `ApiRequestError`, also when its body is not the API's shape
 * (a proxy's HTML page, an empty body).
 *
 * @example
 * const response = await fetch('/api/v1/nothing');
 * if (!response.ok) throw await errorFromResponse(response);
 */
export async function errorFromResponse(response: Response): Promise<ApiRequestError> {
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, requestId } = parsed.data.error;
    return new ApiRequestError(response.status, code, message, requestId);
  }
  return new ApiRequestError(
    response.status,
    'unexpected_response',
    `The server answered ${response.status} ${response.statusText}`.trim() + '.',
  );
}

/**
 * The error for a call that got no response: the server or the network is down, or the browser
 * is offline.
 *
 * @example
 * await fetch('/api/v1/config').catch((cause) => { throw unreachableError(cause); });
 */
export function unreachableError(cause: unknown): ApiRequestError {
  return new ApiRequestError(
    0,
    'unreachable',
    'The Enclave server could not be reached. Check your network connection.',
    undefined,
    { cause },
  );
}
