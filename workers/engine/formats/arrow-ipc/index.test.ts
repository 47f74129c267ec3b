/**
 * Tests of the Arrow IPC reader on files written by apache-arrow itself, in the file and the
 * stream format, and on damaged input.
 */
import { describe, expect, it } from 'vitest';
// The reader must be tested on files apache-arrow itself wrote, not on our own writer's output.
// eslint-disable-next-line no-restricted-imports
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { valueAt } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import { looksLikeArrowIpc, readArrowIpc } from './index.ts';

const written = tableFromArrays({
  dose: new Float64Array([0.5, 1, 2]),
  well: ['A1', 'A2', 'B1'],
});

describe('readArrowIpc', () => {
  for (const format of ['file', 'stream'] as const) {
    it(`reads the ${format} format`, () => {
      const bytes = tableToIPC(written, format);
      expect(looksLikeArrowIpc(bytes)).toBe(true);
      const { table } = readArrowIpc(bytes);
      expect(table.length).toBe(3);
      expect(table.columns.map((column) => column.name)).toEqual(['dose', 'well']);
      expect(valueAt(table.columns[0]!.data, 2)).toBe(2);
      expect(valueAt(table.columns[1]!.data, 1)).toBe('A2');
    });
  }

  it('refuses bytes that are not Arrow', () => {
    const bytes = new TextEncoder().encode('a,b\n1,2\n');
    expect(looksLikeArrowIpc(bytes)).toBe(false);
    expect(() => readArrowIpc(bytes)).toThrow(EngineError);
  });

  it('gives a parse_error for a truncated file', () => {
    const bytes = tableToIPC(written, 'file');
    let caught: unknown;
    try {
      readArrowIpc(bytes.subarray(0, 40));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).code).toBe('parse_error');
  });
});
