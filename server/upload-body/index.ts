/**
 * Bodies of the upload routes (dataset versions, plugin archives), which carry their own, larger
 * limit (`MAX_UPLOAD_MB`) in place of the API's. The limit is enforced twice: on what the request
 * declares, before anything else happens, and on what actually arrives, while it is read. (Hono's
 * `bodyLimit` would instead buffer an undeclared, chunked body of up to the limit before the
 * handler runs, i.e. before the policy has decided.)
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { PayloadTooLargeError } from '../errors/index.ts';

/**
 * Refuses with 413 a request whose `Content-Length` is over the limit.
 *
 * @example
 * createRoute({ method: 'post', path: '/plugins', middleware: [declaredLengthLimit(max)] as const, … });
 */
export function declaredLengthLimit(maxUploadBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > maxUploadBytes) {
      throw new PayloadTooLargeError(maxUploadBytes);
    }
    await next();
  };
}

/**
 * Reads the upload, stopping with 413 as soon as it grows past the limit.
 *
 * @example
 * const bytes = await readUpload(c, config.maxUploadBytes);
 */
export async function readUpload(c: Context<AppEnv>, maxUploadBytes: number): Promise<Uint8Array> {
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxUploadBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(maxUploadBytes);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
