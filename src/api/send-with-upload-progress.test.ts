/** Unit tests of reading XMLHttpRequest's header block. */
import { describe, expect, it } from 'vitest';
import { parseResponseHeaders } from './send-with-upload-progress.ts';

describe('parseResponseHeaders', () => {
  it('reads each line as a header, values with colons intact', () => {
    const headers = parseResponseHeaders(
      'content-type: application/json\r\nx-request-id: r-1\r\nlocation: http://h:1/x\r\n',
    );
    expect(headers.get('Content-Type')).toBe('application/json');
    expect(headers.get('x-request-id')).toBe('r-1');
    expect(headers.get('location')).toBe('http://h:1/x');
  });

  it('copes with an empty block', () => {
    expect([...parseResponseHeaders('').keys()]).toEqual([]);
  });
});
