import { describe, expect, it } from 'vitest';
import { addressFromForwarded } from './index.ts';

describe('addressFromForwarded', () => {
  it('uses the TCP peer when no proxy is trusted, whatever the client claims', () => {
    expect(addressFromForwarded('192.0.2.10', '203.0.113.7', 0)).toBe('192.0.2.10');
  });

  it('takes the entry the trusted proxy wrote, not the ones the client put before it', () => {
    expect(addressFromForwarded('10.0.0.2', '198.51.100.9, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(addressFromForwarded('10.0.0.2', '198.51.100.9, 203.0.113.7, 10.0.0.1', 2)).toBe(
      '203.0.113.7',
    );
  });

  it('falls back to the peer when the header is missing, too short or not an address', () => {
    expect(addressFromForwarded('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(addressFromForwarded('10.0.0.2', '203.0.113.7', 2)).toBe('10.0.0.2');
    expect(addressFromForwarded('10.0.0.2', '<script>', 1)).toBe('10.0.0.2');
    expect(addressFromForwarded('10.0.0.2', ' , ', 1)).toBe('10.0.0.2');
  });

  it('accepts IPv6 addresses', () => {
    expect(addressFromForwarded('::1', '2001:db8::1', 1)).toBe('2001:db8::1');
  });
});
