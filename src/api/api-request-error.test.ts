/** Unit tests of reading error responses into ApiRequestError. */
import { describe, expect, it } from 'vitest';
import { ApiRequestError, errorFromResponse, unreachableError } from './api-request-error.ts';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('errorFromResponse', () => {
  it('keeps the code, message and request id of the API error shape', async () => {
    const error = await errorFromResponse(
      jsonResponse(404, { error: { code: 'not_found', message: 'No route.', requestId: 'r-1' } }),
    );
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({
      status: 404,
      code: 'not_found',
      message: 'No route.',
      requestId: 'r-1',
    });
  });

  it('reads the service worker egress refusal like any API error', async () => {
    const error = await errorFromResponse(
      jsonResponse(451, {
        error: { code: 'egress_blocked', message: 'Blocked.', requestId: 'sw-1' },
      }),
    );
    expect(error).toMatchObject({ status: 451, code: 'egress_blocked', requestId: 'sw-1' });
  });

  it('copes with bodies that are not the error shape', async () => {
    const html = new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' });
    expect(await errorFromResponse(html)).toMatchObject({
      status: 502,
      code: 'unexpected_response',
      message: 'The server answered 502 Bad Gateway.',
      requestId: undefined,
    });
    expect(await errorFromResponse(jsonResponse(500, { error: 'boom' }))).toMatchObject({
      code: 'unexpected_response',
    });
  });
});

describe('unreachableError', () => {
  it('has status 0 and keeps the cause', () => {
    const cause = new TypeError('Failed to fetch');
    const error = unreachableError(cause);
    expect(error).toMatchObject({ status: 0, code: 'unreachable', cause });
  });
});
