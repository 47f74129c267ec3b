/**
 * Hooks for one running plugin instance: launching it, polling its state every 2 s (the host
 * tears it down on anything but `active`: that is how an admin's block reaches a running
 * plugin within seconds), reporting what it is about to do (answered with the policy's word)
 * and ending it.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  endPluginInstance,
  fetchPluginInstance,
  launchPlugin,
  reportPluginEvent,
  type PluginInstanceEvent,
} from '../api/plugins-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/** How often a running instance's state is asked for. */
export const INSTANCE_POLL_MS = 2000;

/**
 * @example
 * const launch = useLaunchPlugin();
 * launch.mutate({ pluginId, tableName, columns });
 */
export function useLaunchPlugin() {
  return useMutation({
    mutationFn: ({
      pluginId,
      tableName,
      columns,
    }: {
      pluginId: string;
      tableName: string;
      columns: readonly string[];
    }) => launchPlugin(pluginId, { tableName, columns }),
  });
}

/**
 * @example
 * const state = usePluginInstanceState(instanceId);
 * if (state.data && state.data.state !== 'active') tearDown();
 */
export function usePluginInstanceState(instanceId: string) {
  return useQuery({
    queryKey: queryKeys.plugins.instance(instanceId),
    queryFn: () => fetchPluginInstance(instanceId),
    refetchInterval: INSTANCE_POLL_MS,
    refetchIntervalInBackground: true,
    gcTime: 0,
    retry: false,
  });
}

/**
 * @example
 * const report = useReportPluginEvent(instanceId);
 * const { state } = await report.mutateAsync({ action: 'plugin.data_read', columns, rows });
 */
export function useReportPluginEvent(instanceId: string) {
  return useMutation({
    mutationFn: (event: PluginInstanceEvent) => reportPluginEvent(instanceId, event),
  });
}

/**
 * @example
 * const end = useEndPluginInstance();
 * end.mutate(instanceId);
 */
export function useEndPluginInstance() {
  return useMutation({ mutationFn: endPluginInstance });
}
