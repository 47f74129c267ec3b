/**
 * Plugins: the manifest and its validator, the admins' plugin policy, the registry of bundled
 * and uploaded plugins, and the API routes. The plugin site (server/plugin-site) serves their
 * frames and files through this contract. See README.md in this folder.
 */
export {
  ManifestError,
  PLUGIN_LIMITS,
  PLUGIN_PERMISSIONS,
  fieldPath,
  filePathProblem,
  parseManifest,
  parseManifestBytes,
  type PluginManifest,
  type PluginPermission,
} from './manifest.ts';
export {
  isRuleActive,
  pluginRunnability,
  type PluginPolicyRule,
  type PluginRunnability,
  type PluginRunnabilityInput,
} from './plugin-policy.ts';
export {
  PluginArchiveError,
  matchFilesToManifest,
  readPluginArchive,
  sha256Hex,
  type PluginArchive,
} from './plugin-archive.ts';
export {
  createPluginRegistry,
  type PluginFileRead,
  type PluginRecord,
  type PluginRegistry,
  type PluginRegistryOptions,
} from './plugin-registry.ts';
export {
  DOCUMENT_WINDOW_MS,
  INSTANCE_LIFETIME_MS,
  instanceRef,
  instanceState,
  isPluginUpload,
  pluginRoutes,
  type PluginRoutesOptions,
} from './plugin-routes.ts';
export { pluginReverters } from './plugin-reverters.ts';
