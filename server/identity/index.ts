/**
 * Who the caller is: local accounts and their passwords (and, as the identity work lands, the
 * OpenID provider, DPoP-bound tokens, LDAP and external issuers). Other folders import identity
 * only through this file.
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
  type OidcAdapter,
  type OidcAdapterOptions,
  type OidcPayload,
} from './oidc-adapter.ts';
