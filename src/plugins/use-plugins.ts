/**
 * Query and mutation hooks for the plugins the signed-in user may run and their consent: the
 * list (with each plugin's permissions, consent and blocked state), granting consent at first
 * launch and revoking it on the Plugins page.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  grantPluginConsent,
  listPlugins,
  revokePluginConsent,
  type PluginSummary,
} from '../api/plugins-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const plugins = usePlugins();
 * return plugins.data?.map((plugin) => <li key={plugin.id}>{plugin.name}</li>);
 */
export function usePlugins() {
  return useQuery({
    queryKey: queryKeys.plugins.all,
    queryFn: listPlugins,
    select: (answer) => answer.plugins,
  });
}

/**
 * The name of an installed plugin, for labels on what it made (its id until the list is in).
 *
 * @example
 * const name = usePluginName(column.source?.plugin); // 'Descriptive statistics'
 */
export function usePluginName(id: string | undefined): string | undefined {
  const plugins = useQuery({
    queryKey: queryKeys.plugins.all,
    queryFn: listPlugins,
    enabled: id !== undefined,
    select: (answer) => answer.plugins.find((plugin) => plugin.id === id)?.name,
  });
  return id === undefined ? undefined : (plugins.data ?? id);
}

/**
 * @example
 * const grant = useGrantConsent();
 * grant.mutate(plugin);
 */
export function useGrantConsent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (plugin: Pick<PluginSummary, 'id' | 'permissions'>) =>
      grantPluginConsent(plugin.id, plugin.permissions),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.plugins.all }),
  });
}

/**
 * @example
 * const revoke = useRevokeConsent();
 * revoke.mutate('enclave.chart');
 */
export function useRevokeConsent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokePluginConsent,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.plugins.all }),
  });
}
