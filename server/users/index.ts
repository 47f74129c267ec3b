/**
 * Users as others see them (names to pick grantees from) and as Admins run them (system role,
 * disabled, display name, temporary passwords). Accounts come into being through identity: the
 * first admin, the demo seed, or a directory vouching for them at sign-in.
 */
export { UserSchema, userRoutes } from './user-routes.ts';
export { userReverters } from './user-reverters.ts';
