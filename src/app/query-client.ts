/**
 * The app's TanStack Query client. A request the server refused (4xx) is not retried: asking again
 * would only repeat the refusal; network failures and 5xx get two more tries.
 */
import { QueryClient } from '@tanstack/react-query';
import { ApiRequestError } from '../api/api-request-error.ts';

const MAX_RETRIES = 2;

/**
 * Whether a failed query should be tried again.
 *
 * @example
 * shouldRetry(0, new ApiRequestError(404, 'not_found', 'No such dataset.')); // false
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiRequestError && error.status >= 400 && error.status < 500) return false;
  return failureCount < MAX_RETRIES;
}

/**
 * A query client with the app's defaults.
 *
 * @example
 * <QueryClientProvider client={createQueryClient()}>…</QueryClientProvider>
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: shouldRetry } } });
}
