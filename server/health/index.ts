/**
 * `GET /healthz`: 200 `{"status":"ok"}` when the store answers, 503 in the error shape when not,
 * so a load balancer takes an instance out of rotation as soon as its database is gone.
 */
import { Hono } from 'hono';
import { ServiceUnavailableError } from '../errors/index.ts';

export interface HealthOptions {
  /** Resolves when the store answers; rejects otherwise. */
  ping: () => Promise<void>;
  /** How long the store may take to answer before the instance counts as unhealthy. */
  timeoutMs?: number;
}

/**
 * The health route, to mount at the root.
 *
 * @example
 * app.route('/', healthRoutes({ ping: () => store.ping() }));
 */
export function healthRoutes(options: HealthOptions) {
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Hono().get('/healthz', async (c) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('store ping timed out')), timeoutMs);
    });
    try {
      await Promise.race([options.ping(), timeout]);
    } catch (cause) {
      throw new ServiceUnavailableError('The store does not answer.', { cause });
    } finally {
      clearTimeout(timer);
    }
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' as const }, 200);
  });
}
