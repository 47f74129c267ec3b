/**
 * Hooks for the admins' part of the Plugins page: uploading a plugin archive (with how much of it
 * has been sent), removing an uploaded plugin, and the allow/block rules. The server refuses all
 * of these to anyone else; the page offers them to admins only.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  createPluginPolicy,
  deletePlugin,
  deletePluginPolicy,
  listPluginPolicies,
  uploadPlugin,
} from '../api/plugins-api.ts';
import type { UploadProgress } from '../api/send-with-upload-progress.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const upload = useUploadPlugin();
 * upload.mutate(file);
 * return upload.progress && <progress value={upload.progress.sent} max={upload.progress.total} />;
 */
export function useUploadPlugin() {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const mutation = useMutation({
    mutationFn: (archive: File) => {
      setProgress({ sent: 0, total: archive.size });
      return uploadPlugin(archive, setProgress);
    },
    onSettled: () => setProgress(null),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.plugins.all }),
  });
  return { ...mutation, progress };
}

/**
 * @example
 * const remove = useDeletePlugin();
 * remove.mutate('lab.custom-plot');
 */
export function useDeletePlugin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deletePlugin,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.plugins.all }),
  });
}

/**
 * @example
 * const rules = usePluginPolicies(isAdmin);
 */
export function usePluginPolicies(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.plugins.policies,
    queryFn: listPluginPolicies,
    select: (answer) => answer.rules,
    enabled,
  });
}

/**
 * @example
 * const create = useCreatePluginPolicy();
 * create.mutate({ pluginId, effect: 'block', groupIds: null, startsAt: null, endsAt: null });
 */
export function useCreatePluginPolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createPluginPolicy,
    // The rules change who may run what: the list's runnable flags too.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.plugins.all }),
  });
}

/**
 * @example
 * const remove = useDeletePluginPolicy();
 * remove.mutate(ruleId);
 */
export function useDeletePluginPolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deletePluginPolicy,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.plugins.all }),
  });
}
