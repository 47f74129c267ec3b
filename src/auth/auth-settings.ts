/**
 * Where the sign-in settings come from: the `auth` part of the server's public configuration
 * (`GET /api/v1/config`), never built into the app, so one build serves the built-in issuer and
 * an external one alike. The last settings the server gave are kept in IndexedDB, so that a reload
 * without a network still finds the stored sign-in and the app opens offline.
 */
import * as z from 'zod/mini';
import { ApiRequestError } from '../api/api-request-error.ts';
import { fetchPublicConfig } from '../api/client.ts';
import { openAuthDatabase, type AuthSettings } from './auth-database.ts';

const authSettingsSchema: z.ZodMiniType<AuthSettings> = z.object({
  issuer: z.url({ protocol: /^https?$/ }),
  clientId: z.string().check(z.minLength(1)),
  scope: z.string().check(z.minLength(1)),
});

const configWithAuthSchema = z.object({ auth: authSettingsSchema });

/**
 * The sign-in settings in a public configuration, or an error saying the server gave none.
 *
 * @example
 * authSettingsIn({ version: '0.1.0', auth: { issuer: 'https://id.example', clientId: 'enclave-web', scope: 'openid' } });
 */
export function authSettingsIn(config: unknown): AuthSettings {
  const parsed = configWithAuthSchema.safeParse(config);
  if (!parsed.success) {
    throw new ApiRequestError(
      0,
      'auth_not_configured',
      'The Enclave server did not say where to sign in (its configuration has no sign-in settings).',
    );
  }
  return parsed.data.auth;
}

async function keep(settings: AuthSettings): Promise<void> {
  const db = await openAuthDatabase();
  await db.put('settings', settings, 'auth');
}

async function kept(): Promise<AuthSettings | undefined> {
  const db = await openAuthDatabase();
  const settings = await db.get('settings', 'auth');
  return authSettingsSchema.safeParse(settings).data;
}

/**
 * The sign-in settings: the server's, or the kept copy while the server cannot be reached.
 *
 * @example
 * const { issuer, clientId, scope } = await resolveAuthSettings();
 */
export async function resolveAuthSettings(): Promise<AuthSettings> {
  let config: unknown;
  try {
    config = await fetchPublicConfig();
  } catch (error) {
    // Only an unreachable or failing server falls back; a server that answers without sign-in
    // settings is misconfigured, and an old copy would hide that.
    const copy = await kept().catch(() => undefined);
    if (copy) return copy;
    throw error;
  }
  const settings = authSettingsIn(config);
  // Keeping the copy is best effort: the answer in hand matters more.
  await keep(settings).catch(() => undefined);
  return settings;
}
