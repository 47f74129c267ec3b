/**
 * Tests of the page-header check on headers written here in Thrift's compact protocol, one fault
 * at a time: each fault below made hyparquet read the same bytes for ever before the check.
 */
import type { FileMetaData } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../engine-error.ts';
import { checkPageHeaders } from './page-headers.ts';

const I32 = 5;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;

type Field = readonly [id: number, type: number, value: number | Uint8Array | Field[]];

function varint(value: number): number[] {
  const out: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) out.push((value & 0x7f) | 0x80);
  out.push(value);
  return out;
}

function zigzag(value: number): number[] {
  return varint(value >= 0 ? value * 2 : -value * 2 - 1);
}

/** A struct in the compact protocol: field headers with id deltas, values, a STOP. */
function struct(fields: readonly Field[]): number[] {
  const out: number[] = [];
  let last = 0;
  for (const [id, type, value] of fields) {
    out.push(((id - last) << 4) | type);
    last = id;
    if (type === I32) out.push(...zigzag(value as number));
    else if (type === BINARY)
      out.push(...varint((value as Uint8Array).length), ...(value as Uint8Array));
    else if (type === STRUCT) out.push(...struct(value as Field[]));
    else if (type === LIST) {
      const elements = value as Field[];
      out.push((elements.length << 4) | I32, ...elements.flatMap(([, , v]) => zigzag(v as number)));
    }
  }
  out.push(0);
  return out;
}

/** A data page (v1) header for `size` bytes of page data, with any field replaced or left out. */
function dataPage(size: number, change: Partial<Record<number, number | null>> = {}): number[] {
  const top: Record<number, number | null> = { 1: 0, 2: size, 3: size, ...change };
  const fields: Field[] = [];
  for (const id of [1, 2, 3]) if (top[id] !== null) fields.push([id, I32, top[id]!]);
  fields.push([
    5,
    STRUCT,
    [
      [1, I32, 10],
      [2, I32, 0],
      [3, I32, 3],
      [4, I32, 3],
    ],
  ]);
  return struct(fields);
}

function dataPageV2(size: number, levels: Field[]): number[] {
  return struct([
    [1, I32, 3],
    [2, I32, size],
    [3, I32, size],
    [8, STRUCT, [[1, I32, 10], [2, I32, 2], [3, I32, 10], [4, I32, 0], ...levels]],
  ]);
}

/** A file of one column chunk holding `pages` (headers followed by their data) from byte 4. */
function check(pages: readonly (readonly number[])[], chunkBytes?: number): EngineError | null {
  const body = pages.flat();
  const bytes = new Uint8Array([0x50, 0x41, 0x52, 0x31, ...body, 0, 0, 0, 0]);
  const metadata = {
    row_groups: [
      {
        columns: [
          {
            meta_data: {
              path_in_schema: ['dose'],
              data_page_offset: 4n,
              dictionary_page_offset: undefined,
              total_compressed_size: BigInt(chunkBytes ?? body.length),
            },
          },
        ],
      },
    ],
  } as unknown as FileMetaData;
  try {
    checkPageHeaders(bytes, metadata);
    return null;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
}

const data = (size: number) => new Array<number>(size).fill(7);

describe('checkPageHeaders', () => {
  it('passes pages that follow one another to the end of their chunk', () => {
    expect(
      check([[...dataPage(5), ...data(5)], [...dataPage(0)], [...dataPage(3), ...data(3)]]),
    ).toBe(null);
    const statistics: Field = [5, STRUCT, [[1, BINARY, new Uint8Array([1, 2, 3])]]];
    const withStatistics = struct([
      [1, I32, 2],
      [2, I32, 4],
      [3, I32, 4],
      [7, STRUCT, [[1, I32, 3], [2, I32, 0], statistics]],
    ]);
    expect(check([[...withStatistics, ...data(4)]])).toBe(null);
  });

  it('refuses a header without its sizes, or with a negative one', () => {
    for (const change of [{ 3: null }, { 2: null }, { 1: null }, { 3: -1 }, { 2: -5 }]) {
      const error = check([[...dataPage(5, change), ...data(5)]]);
      expect([change, error?.code, error?.offset]).toEqual([change, 'parse_error', 4]);
      expect(error!.message).toMatch(
        /^This Parquet file is damaged: in row group 1, column "dose", /,
      );
    }
  });

  it('refuses a data page header without its counts', () => {
    const withoutCounts = struct([
      [1, I32, 0],
      [2, I32, 5],
      [3, I32, 5],
      [5, STRUCT, [[1, I32, 10]]],
    ]);
    expect(check([[...withoutCounts, ...data(5)]])?.message).toContain('lacks a count');
    const withoutOwnHeader = struct([
      [1, I32, 0],
      [2, I32, 5],
      [3, I32, 5],
    ]);
    expect(check([[...withoutOwnHeader, ...data(5)]])?.message).toContain(
      'lacks the header of its page type',
    );
  });

  it('refuses a v2 data page without level lengths, or with more than the page holds', () => {
    const levels: Field[] = [
      [5, I32, 2],
      [6, I32, 0],
    ];
    expect(check([[...dataPageV2(6, levels), ...data(6)]])).toBe(null);
    expect(check([[...dataPageV2(6, [levels[0]!]), ...data(6)]])?.message).toContain(
      'lacks a count',
    );
    expect(
      check([
        [
          ...dataPageV2(6, [
            [5, I32, 4],
            [6, I32, 4],
          ]),
          ...data(6),
        ],
      ])?.message,
    ).toContain('do not fit');
  });

  it('refuses pages that run past their chunk, and a chunk outside the file', () => {
    expect(check([[...dataPage(50), ...data(5)]])?.message).toContain('runs past');
    expect(check([[...dataPage(5), ...data(5)]], 10_000)?.message).toContain('outside the file');
    expect(check([[...dataPage(5), ...data(5), 0x15]])?.message).toContain('runs past');
  });

  it('refuses unknown Thrift types and nesting deeper than a page header has', () => {
    expect(check([[0x1d, 0]])?.message).toContain('unknown Thrift type 13');
    let deep: Field[] = [[1, I32, 1]];
    for (let level = 0; level < 20; level++) deep = [[1, STRUCT, deep]];
    expect(check([[...struct([[9, STRUCT, deep]])]])?.message).toContain('nests too deep');
  });

  it('skips lists in headers, taking a byte at least per element', () => {
    const withList = struct([
      [1, I32, 0],
      [2, I32, 2],
      [3, I32, 2],
      [
        5,
        STRUCT,
        [
          [1, I32, 1],
          [2, I32, 0],
          [3, I32, 3],
          [4, I32, 3],
        ],
      ],
      [
        9,
        LIST,
        [
          [0, I32, 1],
          [0, I32, 2],
          [0, I32, 3],
        ],
      ],
    ]);
    expect(check([[...withList, ...data(2)]])).toBe(null);
  });
});
