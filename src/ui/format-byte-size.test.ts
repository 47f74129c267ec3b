/** Unit tests of byte size formatting. */
import { describe, expect, it } from 'vitest';
import { formatByteSize } from './format-byte-size.ts';

describe('formatByteSize', () => {
  it('keeps small sizes in bytes', () => {
    expect(formatByteSize(0)).toBe('0 bytes');
    expect(formatByteSize(1023)).toBe('1023 bytes');
  });

  it('moves up a unit at 1024 and keeps one decimal below 100', () => {
    expect(formatByteSize(1536)).toBe('1.5 KB');
    expect(formatByteSize(200 * 1024 * 1024)).toBe('200 MB');
    expect(formatByteSize(5 * 1024 ** 5)).toBe('5120 TB');
  });
});
