/**
 * The plugin site: the second listener on `PLUGIN_ORIGIN` that serves plugin frames, their files
 * and the SDK runtime, under the plugin CSP. See README.md in this folder.
 */
export {
  PLUGIN_SITE_DEFAULT_CSP,
  createPluginSite,
  documentCsp,
  fileCsp,
  frameDocument,
  type PluginSiteOptions,
} from './plugin-site.ts';
