/**
 * Who the caller is: local, LDAP and external-issuer accounts, the built-in OpenID provider,
 * DPoP-bound access tokens and the middleware that authenticates every API request. Other
 * folders import identity only through this file.
 */
export {
  DEMO_USERS,
  INITIAL_ADMIN_PASSWORD_FILE,
  ensureInitialAdmin,
  seedDemoUsers,
  type AccountSummary,
  type SystemRole,
} from './accounts.ts';
export {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  checkPasswordPolicy,
  hashPassword,
  verifyPassword,
  type PasswordVerdict,
} from './passwords.ts';
export {
  SigningKeyError,
  loadSigningKey,
  type SigningAlgorithm,
  type SigningKey,
  type SigningKeyOptions,
} from './signing-keys.ts';
export {
  createOidcAdapter,
  endSignInsOf,
  type OidcAdapter,
  type OidcAdapterOptions,
  type OidcPayload,
} from './oidc-adapter.ts';
export {
  PUBLIC_API_PATHS,
  createIdentity,
  type Identity,
  type IdentityOptions,
  type PublicAuthConfig,
} from './identity.ts';
export { CurrentUserSchema, meRoutes, type CurrentUser } from './me-routes.ts';
export { SESSION_ID_PATTERN, UnauthenticatedError, type Principal } from './authenticate/index.ts';
export { LdapUnavailableError, loadLdapSettings, type LdapSettings } from './ldap/index.ts';
