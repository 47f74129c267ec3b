import { describe, expect, it } from 'vitest';
import { CsvFormatError, csvToArrowIpc, readArrowIpcSummary } from './index.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

function read(text: string | Uint8Array, options?: { maxColumns?: number }) {
  const result = csvToArrowIpc(typeof text === 'string' ? utf8(text) : text, options);
  const back = readArrowIpcSummary(result.ipc);
  expect(back.rowCount).toBe(result.rowCount);
  expect(back.columns).toEqual(result.columns);
  return { ...result, rows: back.rows() };
}

function refusal(text: string | Uint8Array, options?: { maxColumns?: number }): CsvFormatError {
  try {
    csvToArrowIpc(typeof text === 'string' ? utf8(text) : text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvFormatError);
    expect((error as CsvFormatError).code).toBe('invalid_csv');
    return error as CsvFormatError;
  }
  throw new Error('expected the CSV to be refused');
}

describe('csvToArrowIpc: reading awkward CSV', () => {
  it('keeps commas inside quotes and undoubles escaped quotes', () => {
    const { rows } = read('name,quote\n"Smith, J.","she said ""hi"""\n');
    expect(rows).toEqual([['Smith, J.', 'she said "hi"']]);
  });

  it('keeps CRLF inside a quoted field and accepts CRLF, LF and a missing final newline', () => {
    const { rows, rowCount } = read('id,note\r\n1,"two\r\nlines"\r\n2,plain\n3,last');
    expect(rowCount).toBe(3);
    expect(rows).toEqual([
      [1, 'two\r\nlines'],
      [2, 'plain'],
      [3, 'last'],
    ]);
  });

  it('drops a UTF-8 byte order mark instead of making it part of the first name', () => {
    const { columns, rows } = read('\uFEFFid,größe\n1,ä€\n');
    expect(columns.map((column) => column.name)).toEqual(['id', 'größe']);
    expect(rows).toEqual([[1, 'ä€']]);
  });

  it('refuses an empty file, also one holding only a BOM or blank lines', () => {
    for (const text of ['', '\uFEFF', '\n\r\n\n']) {
      expect(refusal(text).message).toMatch(/empty/);
    }
  });

  it('reads a header without rows as an empty table of text columns', () => {
    const result = read('a,b\n');
    expect(result.rowCount).toBe(0);
    expect(result.columns).toEqual([
      { name: 'a', type: 'utf8' },
      { name: 'b', type: 'utf8' },
    ]);
  });

  it('names the line of a ragged row, counting lines inside quoted fields', () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n\r\n2,3\r\n4,5,6\r\n';
    expect(refusal(text).message).toBe('Line 6 has 3 fields, but the header has 2.');
    expect(refusal('a,b\n1\n').message).toBe('Line 2 has 1 fields, but the header has 2.');
  });

  it('refuses an unclosed quote', () => {
    expect(refusal('a,b\n"open,1\n').message).toMatch(/not valid CSV.*Quote Not Closed/);
  });

  it('refuses blank and duplicate column names', () => {
    expect(refusal('a,,c\n1,2,3\n').message).toBe('Column 2 has no name in the header row.');
    expect(refusal('a, ,c\n').message).toBe('Column 2 has no name in the header row.');
    expect(refusal('a,b,a\n').message).toBe('The header row names "a" twice (columns 1 and 3).');
  });

  it('refuses bytes that are not UTF-8', () => {
    const latin1 = Uint8Array.from([0x61, 0x0a, 0x67, 0x72, 0xf6, 0xdf, 0x65, 0x0a]);
    expect(refusal(latin1).message).toMatch(/not UTF-8/);
  });

  it('reads 1000 columns, and refuses more columns than maxColumns', () => {
    const names = Array.from({ length: 1000 }, (_, index) => `c${String(index)}`);
    const values = names.map((_, index) => String(index));
    const text = `${names.join(',')}\n${values.join(',')}\n`;
    const { columns, rows } = read(text);
    expect(columns).toHaveLength(1000);
    expect(columns[999]).toEqual({ name: 'c999', type: 'int32' });
    expect(rows[0]![999]).toBe(999);
    expect(refusal(text, { maxColumns: 999 }).message).toBe(
      'The file has 1000 columns; at most 999 are accepted.',
    );
  });
});

describe('csvToArrowIpc: column types', () => {
  it('infers int32, float64, bool, date32 and utf8, with empty cells as nulls', () => {
    const text = [
      'i,f,b,d,s',
      '1,1.5,true,2024-02-29,x',
      ',,,,',
      '-7,2e3,FALSE,1999-12-31,',
      '+3,.5,false,0044-03-15,""',
    ].join('\n');
    const { columns, rows } = read(text);
    expect(columns.map((column) => column.type)).toEqual([
      'int32',
      'float64',
      'bool',
      'date32',
      'utf8',
    ]);
    expect(rows).toEqual([
      [1, 1.5, true, new Date('2024-02-29T00:00:00Z'), 'x'],
      [null, null, null, null, null],
      [-7, 2000, false, new Date('1999-12-31T00:00:00Z'), null],
      [3, 0.5, false, new Date('0044-03-15T00:00:00Z'), ''],
    ]);
  });

  it('makes integers beyond 32 bits and mixed integers and decimals float64', () => {
    const { columns, rows } = read('big,mixed\n2147483648,1\n-1,2.25\n');
    expect(columns.map((column) => column.type)).toEqual(['float64', 'float64']);
    expect(rows).toEqual([
      [2147483648, 1],
      [-1, 2.25],
    ]);
  });

  it('keeps 32-bit limits as int32', () => {
    const { columns, rows } = read('n\n2147483647\n-2147483648\n');
    expect(columns[0]!.type).toBe('int32');
    expect(rows).toEqual([[2147483647], [-2147483648]]);
  });

  it('reads NaN and infinities in a number column', () => {
    const { columns, rows } = read('x\n1.5\nNaN\n-inf\nInfinity\n');
    expect(columns[0]!.type).toBe('float64');
    expect(rows).toEqual([[1.5], [Number.NaN], [-Infinity], [Infinity]]);
  });

  it('keeps text when values disagree, have leading zeros or are impossible dates', () => {
    const { columns } = read(
      'mixed,zip,day,flag,blank\n1,007,2023-02-29,true,\nx,0123,2023-01-01,1,\n',
    );
    expect(columns.map((column) => column.type)).toEqual(['utf8', 'utf8', 'utf8', 'utf8', 'utf8']);
  });
});
