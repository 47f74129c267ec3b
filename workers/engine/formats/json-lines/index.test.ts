/** Tests of the JSON lines reader: split lines, key union, inferred types, errors with lines. */
import { describe, expect, it } from 'vitest';
import { valueAt } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import { chunksOf } from '../../sources/read-chunks.ts';
import { readJsonLines } from './index.ts';

const text = [
  '{"id": 1, "dose": 0.5, "ok": true, "day": "2024-05-31", "tag": {"a": 1}}',
  '{"id": 2, "dose": 2, "ok": false, "day": "2024-06-01", "extra": "x"}',
  '',
  '{"id": 3, "dose": null, "ok": true, "day": "2024-06-02"}',
].join('\n');

describe('readJsonLines', () => {
  it('joins lines split across chunks and infers types', async () => {
    const { table } = await readJsonLines(chunksOf(new TextEncoder().encode(text), 7));
    expect(table.length).toBe(3);
    const byName = Object.fromEntries(table.columns.map((column) => [column.name, column.data]));
    expect(byName.id!.type).toBe('int');
    expect(byName.dose!.type).toBe('float');
    expect(valueAt(byName.dose!, 2)).toBe(null);
    expect(byName.ok!.type).toBe('bool');
    expect(byName.day!.type).toBe('date');
    expect(valueAt(byName.day!, 0)).toBe(Date.UTC(2024, 4, 31) / 86_400_000);
    expect(valueAt(byName.tag!, 0)).toBe('{"a":1}');
    expect(valueAt(byName.extra!, 0)).toBe(null);
    expect(valueAt(byName.extra!, 1)).toBe('x');
  });

  it('names the 1-based line of a malformed line', async () => {
    const bad = new TextEncoder().encode('{"a": 1}\n{"a": \n');
    const error = await readJsonLines(chunksOf(bad)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).line).toBe(2);
  });
});
