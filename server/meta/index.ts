/**
 * What the browser needs to know before anyone signs in: the public client configuration at
 * `GET /api/v1/config`. The service worker reads it to learn which origins it lets requests go to.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';

export const PublicConfigSchema = z
  .object({
    version: z.string().openapi({ example: '0.1.0' }),
    publicUrl: z.url().openapi({ example: 'http://127.0.0.1:8080' }),
    oidcIssuer: z.url().openapi({ example: 'http://127.0.0.1:8080/oidc' }),
    /** Origins besides the app's own that the page and its workers may send requests to. */
    allowedOrigins: z.array(z.string()),
    /** How the SPA signs in: the issuer, its client id there, and the scopes to ask for. */
    auth: z.object({
      issuer: z.url().openapi({ example: 'http://127.0.0.1:8080/oidc' }),
      clientId: z.string().openapi({ example: 'enclave-web' }),
      scope: z.string().openapi({ example: 'openid profile email' }),
    }),
  })
  .openapi('PublicConfig');

export type PublicConfig = z.infer<typeof PublicConfigSchema>;

const getConfigRoute = createRoute({
  method: 'get',
  path: '/config',
  summary: 'Public client configuration',
  responses: {
    200: {
      description: 'What the SPA and its service worker need before sign-in.',
      content: { 'application/json': { schema: PublicConfigSchema } },
    },
  },
});

/**
 * The meta routes, to mount under `/api/v1`.
 *
 * @example
 * api.route('/', metaRoutes(publicConfig));
 */
export function metaRoutes(config: PublicConfig) {
  return new OpenAPIHono().openapi(getConfigRoute, (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json(config, 200);
  });
}
