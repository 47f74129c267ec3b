/**
 * Tells a file's format from its name and, when the name says nothing, from its first bytes.
 * Formats the engine does not read but people commonly drop (spreadsheets, archives) get a clear
 * `unsupported_format` that says what to do instead.
 */
import { EngineError } from '../engine-error.ts';
import type { FileFormat } from '../protocol.ts';

const byExtension: Record<string, FileFormat> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  arrow: 'arrow',
  arrows: 'arrow',
  feather: 'arrow',
  ipc: 'arrow',
  parquet: 'parquet',
  pq: 'parquet',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
};

const unsupported: Record<string, string> = {
  xlsx: 'Excel workbooks are not read here; save the sheet as CSV and open that.',
  xls: 'Excel workbooks are not read here; save the sheet as CSV and open that.',
  ods: 'Spreadsheets are not read here; save the sheet as CSV and open that.',
  zip: 'Archives are not opened here; unpack it and open the data file inside.',
  gz: 'Compressed files are not opened here; decompress it first.',
};

function startsWith(head: Uint8Array, text: string): boolean {
  if (head.byteLength < text.length) return false;
  for (let i = 0; i < text.length; i++) if (head[i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * The format of a file called `name` whose first bytes are `head` (a few KiB suffice).
 *
 * @example
 * detectFormat('plates.tsv', head); // 'tsv'
 */
export function detectFormat(name: string, head: Uint8Array): FileFormat {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  const known = byExtension[extension];
  if (known) return known;
  if (startsWith(head, 'PAR1')) return 'parquet';
  if (startsWith(head, 'ARROW1') || startsWith(head, '\xff\xff\xff\xff')) return 'arrow';
  const refusal = unsupported[extension];
  if (refusal) throw new EngineError({ code: 'unsupported_format', message: refusal });
  if (startsWith(head, 'PK\x03\x04')) {
    throw new EngineError({
      code: 'unsupported_format',
      message:
        'This looks like a zip archive or a spreadsheet; save the data as CSV and open that.',
    });
  }
  const first = head.find(
    (byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d,
  );
  if (first === 0x7b) return 'jsonl';
  if (extension === 'json') {
    throw new EngineError({
      code: 'unsupported_format',
      message:
        'Only JSON lines are read (one object per line); this JSON file is one document. Save it with one record per line as .jsonl.',
    });
  }
  return 'csv';
}
