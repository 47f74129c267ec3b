/**
 * LDAP sign-in for Enclave: the contract the login flow uses. With `LDAP_URL` set, the login form's
 * username and password are checked by binding to the directory, and the user's name, mail and
 * groups come from it at every login (so group changes in the directory take effect at the next
 * sign-in). Creating or updating the local user from the identity is the caller's job.
 *
 * The implementation and its reasons are in `ldap-directory.ts`.
 */
export {
  DEFAULT_LDAP_TIMEOUT_MS,
  LdapUnavailableError,
  authenticateWithLdap,
  loadLdapSettings,
  normalizeLdapUsername,
  type LdapIdentity,
  type LdapSettings,
} from './ldap-directory.ts';
