/**
 * Mutation hook that downloads the events matching a filter as a JSON Lines or CSV file. The
 * request needs the session's token, so the file comes through the API client as a blob and is
 * handed to the browser's downloads from there.
 */
import { useMutation } from '@tanstack/react-query';
import { exportAuditEvents, type AuditExportFormat, type AuditFilter } from '../api/audit-api.ts';
import { saveBlob } from '../datasets/save-blob.ts';

/**
 * @example
 * const exportEvents = useExportAudit(filter);
 * exportEvents.mutate('csv');
 */
export function useExportAudit(filter: AuditFilter) {
  return useMutation({
    mutationFn: async (format: AuditExportFormat) => {
      const { blob, fileName } = await exportAuditEvents(filter, format);
      saveBlob(blob, fileName);
      return { format, fileName };
    },
  });
}
