/**
 * `GET /api/v1/me`: who the caller is, as the server sees them on this request (after the token,
 * its DPoP proof and the account have been checked).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Principal } from './authenticate/index.ts';

export const CurrentUserSchema = z
  .object({
    id: z.uuid(),
    username: z.string().openapi({ example: 'alice' }),
    displayName: z.string().openapi({ example: 'Alice Adams' }),
    email: z.string().nullable(),
    systemRole: z.enum(['admin', 'user', 'viewer']),
    source: z.enum(['local', 'ldap', 'oidc']),
    groups: z.array(z.string()).openapi({ example: ['oncology'] }),
  })
  .openapi('CurrentUser');

export type CurrentUser = z.infer<typeof CurrentUserSchema>;

const getMeRoute = createRoute({
  method: 'get',
  path: '/me',
  summary: 'The signed-in caller',
  security: [{ DPoP: [] }],
  responses: {
    200: {
      description: "The caller's account, system role and groups.",
      content: { 'application/json': { schema: CurrentUserSchema } },
    },
  },
});

/**
 * The `/me` route, to mount under `/api/v1` behind the authentication middleware.
 *
 * @example
 * api.route('/', meRoutes());
 */
export function meRoutes() {
  return new OpenAPIHono<{ Variables: { principal: Principal } }>().openapi(getMeRoute, (c) => {
    const principal = c.var.principal;
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        id: principal.userId,
        username: principal.username,
        displayName: principal.displayName,
        email: principal.email,
        systemRole: principal.systemRole,
        source: principal.source,
        groups: principal.groups.map((group) => group.name),
      },
      200,
    );
  });
}
