/**
 * Uploads a CSV or Arrow IPC file as a dataset's next version, with a progress bar while the file
 * goes out and a note while the server checks and encrypts it.
 */
import { useId, useRef, useState } from 'react';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { formatByteSize } from '../ui/format-byte-size.ts';
import { useUploadDatasetVersion } from './use-upload-dataset-version.ts';

function UploadProgressBar({ sent, total }: { sent: number; total: number }) {
  const done = total > 0 && sent >= total;
  return (
    <div className="upload-progress" role="status">
      <progress value={sent} max={Math.max(total, 1)} aria-label="Upload progress" />
      <span className="note">
        {done
          ? 'Sent; the server is checking and encrypting the file…'
          : `${formatByteSize(sent)} of ${formatByteSize(total)} sent`}
      </span>
    </div>
  );
}

export function UploadVersionForm({
  projectId,
  datasetId,
}: {
  projectId: string;
  datasetId: string;
}) {
  const upload = useUploadDatasetVersion(projectId, datasetId);
  const [file, setFile] = useState<File | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const fileId = useId();
  return (
    <form
      className="form"
      aria-label="Upload a new version"
      onSubmit={(event) => {
        event.preventDefault();
        if (!file) return;
        upload.mutate(file, {
          onSuccess: () => {
            setFile(null);
            if (inputRef.current) inputRef.current.value = '';
          },
        });
      }}
    >
      <div className="field">
        <label htmlFor={fileId}>CSV or Arrow IPC file</label>
        <input
          ref={inputRef}
          id={fileId}
          type="file"
          accept=".csv,.arrow,.arrows,.ipc,text/csv"
          disabled={upload.isPending}
          onChange={(event) => {
            upload.reset();
            setFile(event.target.files?.[0] ?? null);
          }}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={!file || upload.isPending}>
          {upload.isPending ? 'Uploading…' : 'Upload version'}
        </button>
        {upload.isSuccess && (
          <span className="note" role="status">
            Version {upload.data.number} stored: {upload.data.rowCount.toLocaleString()} rows.
          </span>
        )}
      </div>
      {upload.progress && <UploadProgressBar {...upload.progress} />}
      {upload.isError && <ErrorPanel error={upload.error} title="The version was not uploaded" />}
    </form>
  );
}
