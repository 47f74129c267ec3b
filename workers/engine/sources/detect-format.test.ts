/**
 * Tests of telling a file's format: by its extension first, then by its first bytes, and the
 * refusals (with what to do instead) for spreadsheets, archives and whole-document JSON.
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../engine-error.ts';
import { detectFormat } from './detect-format.ts';

const encoder = new TextEncoder();
const none = new Uint8Array(0);

function refusal(name: string, head: Uint8Array = none): EngineError {
  try {
    detectFormat(name, head);
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

describe('detectFormat', () => {
  it('goes by the extension, in any case', () => {
    const cases: [string, string][] = [
      ['plates.csv', 'csv'],
      ['notes.TXT', 'csv'],
      ['plates.tsv', 'tsv'],
      ['plates.tab', 'tsv'],
      ['table.arrow', 'arrow'],
      ['table.arrows', 'arrow'],
      ['table.feather', 'arrow'],
      ['table.ipc', 'arrow'],
      ['table.Parquet', 'parquet'],
      ['table.pq', 'parquet'],
      ['events.jsonl', 'jsonl'],
      ['events.ndjson', 'jsonl'],
    ];
    for (const [name, format] of cases)
      expect([name, detectFormat(name, none)]).toEqual([name, format]);
    // The extension wins over the bytes.
    expect(detectFormat('looks-like.csv', encoder.encode('PAR1'))).toBe('csv');
  });

  it('goes by the first bytes when the name says nothing', () => {
    expect(detectFormat('download', encoder.encode('PAR1\u0015'))).toBe('parquet');
    expect(detectFormat('download', encoder.encode('ARROW1\0\0'))).toBe('arrow');
    expect(detectFormat('download', new Uint8Array([0xff, 0xff, 0xff, 0xff, 8]))).toBe('arrow');
    expect(detectFormat('download', encoder.encode('\r\n  {"a": 1}\n'))).toBe('jsonl');
    expect(detectFormat('data.dat', encoder.encode('a,b\n1,2\n'))).toBe('csv');
    expect(detectFormat('', none)).toBe('csv');
  });

  it('refuses spreadsheets, archives and compressed files, saying what to do', () => {
    for (const name of ['book.xlsx', 'book.xls', 'sheet.ods']) {
      expect(refusal(name)).toMatchObject({ code: 'unsupported_format' });
      expect(refusal(name).message).toContain('CSV');
    }
    expect(refusal('bundle.zip').message).toContain('unpack');
    expect(refusal('table.csv.gz').message).toContain('decompress');
    expect(refusal('mystery.bin', encoder.encode('PK\u0003\u0004')).code).toBe(
      'unsupported_format',
    );
  });

  it('refuses a JSON document, which is not JSON lines, unless it starts like one', () => {
    expect(refusal('data.json', encoder.encode('[{"a": 1}]')).message).toContain('JSON lines');
    expect(detectFormat('data.json', encoder.encode('{"a": 1}\n{"a": 2}\n'))).toBe('jsonl');
  });
});
