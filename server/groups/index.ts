/**
 * Groups: who shares in a grant. Admins create them; group admins run their own group's
 * members; groups nest (a child's members are the parent's), never in a cycle; directory groups
 * (LDAP, an external issuer) are read-only here because the directory owns them.
 */
export { GroupSchema, groupRoutes } from './group-routes.ts';
export { groupReverters } from './group-reverters.ts';
