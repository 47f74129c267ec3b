/**
 * Mutation hook that uploads a CSV or Arrow file as a dataset's next version and keeps how much
 * of it has been sent, for a progress bar. The server answers only once it has checked and stored
 * the whole file, so a finished transfer is followed by a wait for that.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { uploadDatasetVersion } from '../api/datasets-api.ts';
import type { UploadProgress } from '../api/send-with-upload-progress.ts';
import { queryKeys } from '../app/query-keys.ts';
import { UserFacingError } from '../errors/user-facing-error.ts';
import { MEDIA_TYPE_SNIFF_BYTES, uploadMediaType } from './upload-media-type.ts';

/** The file is neither CSV nor Arrow IPC, so it is not sent at all. */
class UnsupportedFileError extends UserFacingError {
  override readonly name = 'UnsupportedFileError';
  constructor(fileName: string) {
    super(`“${fileName}” is not a CSV or Arrow IPC file (.csv, .arrow, .arrows).`);
  }
}

async function mediaTypeOf(file: File) {
  const head = new Uint8Array(await file.slice(0, MEDIA_TYPE_SNIFF_BYTES).arrayBuffer());
  const mediaType = uploadMediaType(file.name, head);
  if (!mediaType) throw new UnsupportedFileError(file.name);
  return mediaType;
}

/**
 * @example
 * const upload = useUploadDatasetVersion(projectId, datasetId);
 * upload.mutate(file);
 * return upload.progress && <progress value={upload.progress.sent} max={upload.progress.total} />;
 */
export function useUploadDatasetVersion(projectId: string, datasetId: string) {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const mutation = useMutation({
    mutationFn: async (file: File) => {
      setProgress({ sent: 0, total: file.size });
      return uploadDatasetVersion(datasetId, file, await mediaTypeOf(file), setProgress);
    },
    onSettled: () => setProgress(null),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.datasets.one(datasetId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.projects.datasets(projectId) }),
      ]),
  });
  return { ...mutation, progress };
}
