/**
 * The built-in OpenID Connect provider under `/oidc`: `oidc-provider` configured for the SPA, and
 * the routes that mount it next to our own sign-in pages.
 */
export {
  PROVIDER_MOUNT_PATH,
  createBuiltInProvider,
  type BuiltInProvider,
  type BuiltInProviderOptions,
  type MountedRequest,
  type PendingInteraction,
} from './oidc-provider.ts';
export { providerRoutes, type ProviderRoutesOptions } from './provider-routes.ts';
