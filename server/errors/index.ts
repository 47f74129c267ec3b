/**
 * The one error type of the API and the one handler that turns any failure into the JSON error
 * shape `{ "error": { "code", "message", "requestId" } }`.
 *
 * Routes throw an `ApiError` subclass; anything else that escapes a route becomes a 500 whose
 * message reveals nothing of the cause (the cause is logged with the request id instead).
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../logging/index.ts';

/** The body of every error response. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    requestId: string;
    /** With `revert_conflict`: the later audit event to revert first. */
    laterEventId?: string;
  };
}

/** What an error may add to its body besides code, message and request id. */
export type ErrorFields = Omit<ErrorBody['error'], 'code' | 'message' | 'requestId'>;

/**
 * An error with an HTTP status and a stable machine-readable `code`.
 *
 * @example
 * throw new ApiError(409, 'conflict', 'The dashboard was changed by someone else.');
 */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  /** Response headers the answer needs, e.g. `WWW-Authenticate` on a 401. */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra fields of the JSON error, e.g. `laterEventId` on a revert conflict. */
  readonly fields: Readonly<ErrorFields>;
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    options?: ErrorOptions & { headers?: Record<string, string>; fields?: ErrorFields },
  ) {
    super(message, options);
    this.headers = options?.headers ?? {};
    this.fields = options?.fields ?? {};
  }
}

export class BadRequestError extends ApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, 'bad_request', message, options);
  }
}

export class ValidationError extends ApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, 'validation_failed', message, options);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(403, 'forbidden', message, options);
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(404, 'not_found', message, options);
  }
}

/**
 * The request is valid but clashes with the resource's state (the last owner, a cycle of groups,
 * a name taken); `code` says which, for clients to act on.
 */
export class ConflictError extends ApiError {
  constructor(
    message: string,
    code = 'conflict',
    options?: ErrorOptions & { fields?: ErrorFields },
  ) {
    super(409, code, message, options);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limitBytes: number) {
    // The rest of the body is not read, so the connection cannot carry another request: saying
    // so keeps clients from queueing their next request on a connection about to close.
    super(413, 'payload_too_large', `The request body exceeds the limit of ${limitBytes} bytes.`, {
      headers: { Connection: 'close' },
    });
  }
}

export class ServiceUnavailableError extends ApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(503, 'service_unavailable', message, options);
  }
}

const codeByStatus: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

function requestIdOf(c: Context): string {
  return c.get('requestId') ?? 'unknown';
}

function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  fields: ErrorFields = {},
) {
  const body: ErrorBody = { error: { ...fields, code, message, requestId: requestIdOf(c) } };
  return c.json(body, status);
}

/**
 * Builds the application's error handler; pass it to `app.onError`.
 *
 * @example
 * app.onError(createErrorHandler(logger));
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof ApiError) {
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      return errorResponse(c, err.status, err.code, err.message, err.fields);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      return errorResponse(c, status, codeByStatus[status] ?? 'error', err.message || 'Error');
    }
    logger.error({ err, requestId: requestIdOf(c) }, 'unhandled error');
    return errorResponse(
      c,
      500,
      'internal_error',
      'The server failed to handle the request; quote the request id when reporting it.',
    );
  };
}

/** Answers every unmatched route with a 404 in the error shape. */
export const notFoundHandler: NotFoundHandler = (c) =>
  errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`);

/** Turns zod's findings into our 400, naming each field and what is wrong with it. */
export function validationHook(result: {
  success: boolean;
  error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] };
}) {
  if (result.success || !result.error) return;
  const problems = result.error.issues
    .map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`)
    .join('; ');
  throw new ValidationError(`Invalid request: ${problems}`);
}
