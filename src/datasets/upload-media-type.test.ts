/** Unit tests of telling a CSV from an Arrow IPC file or stream. */
import { describe, expect, it } from 'vitest';
import { uploadMediaType } from './upload-media-type.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('uploadMediaType', () => {
  it('knows an Arrow IPC file by its magic bytes, whatever its name', () => {
    expect(uploadMediaType('results.arrow', bytes('ARROW1\0\0'))).toBe(
      'application/vnd.apache.arrow.file',
    );
    expect(uploadMediaType('results.bin', bytes('ARROW1'))).toBe(
      'application/vnd.apache.arrow.file',
    );
  });

  it('takes other .arrow, .arrows and .ipc files for streams', () => {
    for (const name of ['a.arrows', 'a.ARROW', 'a.ipc']) {
      expect(uploadMediaType(name, new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe(
        'application/vnd.apache.arrow.stream',
      );
    }
  });

  it('takes .csv files for CSV and refuses anything else', () => {
    expect(uploadMediaType('Assay.CSV', bytes('a,b\n1,2'))).toBe('text/csv');
    expect(uploadMediaType('notes.txt', bytes('hello'))).toBeNull();
    expect(uploadMediaType('no-extension', bytes(''))).toBeNull();
  });
});
