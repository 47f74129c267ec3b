/**
 * The shared dataset routes: a project's datasets (`/projects/{id}/datasets`), each dataset with
 * its versions (`/datasets/{id}`), uploading a version (Arrow IPC or CSV, with its progress),
 * restoring an earlier version as a new one, and downloading one as an Arrow IPC stream.
 */
import { authenticatedFetchThrough } from '../auth/auth-session.ts';
import { api, call } from './client.ts';
import { sendWithUploadProgress, type UploadProgress } from './send-with-upload-progress.ts';

/**
 * The datasets of a project (`GET /projects/{id}/datasets`).
 *
 * @example
 * const { datasets } = await listProjectDatasets(projectId);
 */
export async function listProjectDatasets(projectId: string) {
  const response = await call(() =>
    api.projects[':id'].datasets.$get({ param: { id: projectId } }),
  );
  return response.json();
}

/**
 * Creates an empty dataset; versions are uploaded next (`POST /projects/{id}/datasets`).
 *
 * @example
 * const dataset = await createDataset(projectId, { name: 'Assay results' });
 */
export async function createDataset(
  projectId: string,
  input: { name: string; description?: string },
) {
  const response = await call(() =>
    api.projects[':id'].datasets.$post({ param: { id: projectId }, json: input }),
  );
  return response.json();
}

/**
 * One dataset with its versions (`GET /datasets/{id}`).
 *
 * @example
 * const { versions } = await fetchDataset(id);
 */
export async function fetchDataset(id: string) {
  const response = await call(() => api.datasets[':id'].$get({ param: { id } }));
  return response.json();
}

export type Dataset = Awaited<ReturnType<typeof fetchDataset>>;
export type DatasetVersion = Dataset['versions'][number];

/**
 * Deletes a dataset with every version (`DELETE /datasets/{id}`).
 *
 * @example
 * await deleteDataset(id);
 */
export async function deleteDataset(id: string): Promise<void> {
  await call(() => api.datasets[':id'].$delete({ param: { id } }));
}

/** The media types the server makes a version from. */
export type UploadMediaType =
  'text/csv' | 'application/vnd.apache.arrow.file' | 'application/vnd.apache.arrow.stream';

/**
 * Uploads a file as the dataset's next version, reporting the bytes sent as they go
 * (`POST /datasets/{id}/versions`).
 *
 * @example
 * const version = await uploadDatasetVersion(id, file, 'text/csv', ({ sent, total }) => …);
 */
export async function uploadDatasetVersion(
  id: string,
  file: Blob,
  mediaType: UploadMediaType,
  onProgress: (progress: UploadProgress) => void,
) {
  const response = await call(() =>
    api.datasets[':id'].versions.$post(
      { param: { id } },
      {
        headers: { 'Content-Type': mediaType },
        init: { body: file },
        fetch: authenticatedFetchThrough((request) => sendWithUploadProgress(request, onProgress)),
      },
    ),
  );
  return response.json();
}

/**
 * Copies an earlier version's content as the dataset's next version
 * (`POST /datasets/{id}/versions/{n}/restore`); answers the new version.
 *
 * @example
 * const restored = await restoreDatasetVersion(id, 1); // { number: 4, … }
 */
export async function restoreDatasetVersion(id: string, version: number) {
  const response = await call(() =>
    api.datasets[':id'].versions[':n'].restore.$post({ param: { id, n: String(version) } }),
  );
  return response.json();
}

/**
 * The data of one version as an Arrow IPC stream (`GET /datasets/{id}/versions/{n}/data`).
 *
 * @example
 * const blob = await downloadDatasetVersion(id, 2);
 */
export async function downloadDatasetVersion(id: string, version: number): Promise<Blob> {
  const response = await call(() =>
    api.datasets[':id'].versions[':n'].data.$get({ param: { id, n: String(version) } }),
  );
  return response.blob();
}
