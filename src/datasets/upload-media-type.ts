/**
 * Which format a chosen file is, as the media type the upload must carry. Browsers name CSV files
 * but not Arrow ones, so an Arrow IPC file is recognised by its magic bytes (`ARROW1`) and a
 * stream by its extension.
 */
import type { UploadMediaType } from '../api/datasets-api.ts';

const ARROW_FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** How many leading bytes `uploadMediaType` needs. */
export const MEDIA_TYPE_SNIFF_BYTES = ARROW_FILE_MAGIC.length;

/**
 * The media type for a file, from its name and first bytes; null when it is neither CSV nor Arrow.
 *
 * @example
 * uploadMediaType('assay.csv', head); // 'text/csv'
 * uploadMediaType('assay.arrow', bytesOf('ARROW1')); // 'application/vnd.apache.arrow.file'
 */
export function uploadMediaType(fileName: string, head: Uint8Array): UploadMediaType | null {
  if (ARROW_FILE_MAGIC.every((byte, index) => head[index] === byte)) {
    return 'application/vnd.apache.arrow.file';
  }
  const extension = fileName.toLowerCase().split('.').pop();
  switch (extension) {
    case 'csv':
      return 'text/csv';
    case 'arrows':
    case 'arrow':
    case 'ipc':
      return 'application/vnd.apache.arrow.stream';
    default:
      return null;
  }
}
