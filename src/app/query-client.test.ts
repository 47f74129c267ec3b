/** Unit tests of the app's retry rule. */
import { describe, expect, it } from 'vitest';
import { ApiRequestError } from '../api/api-request-error.ts';
import { shouldRetry } from './query-client.ts';

describe('shouldRetry', () => {
  it('does not retry refusals', () => {
    expect(shouldRetry(0, new ApiRequestError(403, 'forbidden', 'No.', 'r'))).toBe(false);
    expect(shouldRetry(0, new ApiRequestError(451, 'egress_blocked', 'Blocked.', 'r'))).toBe(false);
  });

  it('retries server errors and lost connections twice', () => {
    const unreachable = new ApiRequestError(0, 'unreachable', 'Down.');
    expect(shouldRetry(0, unreachable)).toBe(true);
    expect(shouldRetry(1, new ApiRequestError(503, 'service_unavailable', 'Busy.', 'r'))).toBe(
      true,
    );
    expect(shouldRetry(2, unreachable)).toBe(false);
  });
});
