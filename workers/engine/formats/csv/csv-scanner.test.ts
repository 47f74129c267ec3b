/**
 * Tests of the CSV tokenizer through `readCsv`: a corpus of awkward files (RFC 4180 quoting,
 * every kind of line end, BOMs, blank lines, ragged rows, malformed quotes, other delimiters).
 * Each file is read in small chunks, so chunk boundaries fall inside fields, quotes and line ends;
 * `read-csv.test.ts` checks that no boundary changes anything.
 */
import { describe, expect, it } from 'vitest';
import { valueAt, type ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import { chunksOf } from '../../sources/read-chunks.ts';
import { readCsv, type CsvReadOptions, type CsvReadResult } from './index.ts';

const encoder = new TextEncoder();

function read(
  input: string | Uint8Array,
  options: CsvReadOptions = {},
  chunkBytes = 3,
): Promise<CsvReadResult> {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  return readCsv(chunksOf(bytes, chunkBytes), options);
}

/** The table as `{ column: [values…] }`, in column order. */
function columnsOf(table: ColumnTable): Record<string, unknown[]> {
  return Object.fromEntries(
    table.columns.map((column) => [
      column.name,
      Array.from({ length: table.length }, (_, row) => valueAt(column.data, row)),
    ]),
  );
}

async function errorOf(run: () => Promise<unknown>): Promise<EngineError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

describe('readCsv: quoting (RFC 4180)', () => {
  it('keeps delimiters, doubled quotes and line breaks inside quotes', async () => {
    const { table, warnings } = await read(
      [
        'text,n',
        '"a,b",1',
        '"he said ""hi""",2',
        '"""",3',
        '"line 1\nline 2",4',
        '"cr\ronly",5',
        '"crlf\r\ninside",6',
        '"",7',
      ].join('\n'),
    );
    expect(columnsOf(table)).toEqual({
      text: ['a,b', 'he said "hi"', '"', 'line 1\nline 2', 'cr\ronly', 'crlf\r\ninside', null],
      n: [1, 2, 3, 4, 5, 6, 7],
    });
    expect(warnings).toEqual([]);
  });

  it('reads quoted numbers, dates and booleans as typed values', async () => {
    const { table } = await read('n,day,ok\n"1","2024-05-31","true"\n"-2","2024-06-01","FALSE"\n');
    expect(table.columns.map((column) => column.data.type)).toEqual(['int', 'date', 'bool']);
    expect(columnsOf(table).n).toEqual([1, -2]);
  });

  it('reads a quoted header, with the delimiter and escaped quotes inside names', async () => {
    const { table } = await read('"a,b","say ""x""",c\n1,2,3\n');
    expect(table.columns.map((column) => column.name)).toEqual(['a,b', 'say "x"', 'c']);
  });

  it('takes a quote inside an unquoted field literally', async () => {
    const { table } = await read('name,n\n5" floppy,1\nit"s,2\n');
    expect(columnsOf(table).name).toEqual(['5" floppy', 'it"s']);
  });

  it('allows spaces and tabs between a closing quote and the delimiter or line end', async () => {
    const { table } = await read('a,b\n"x"  ,"y"\t\n"z" ,"w" ');
    expect(columnsOf(table)).toEqual({ a: ['x', 'z'], b: ['y', 'w'] });
  });

  it('reads a field with spaces before its opening quote as unquoted text, as pandas does', async () => {
    const { table, warnings } = await read('a,b\n1, "x"\n2, "y"\n');
    expect(columnsOf(table).b).toEqual([' "x"', ' "y"']);
    expect(warnings).toEqual([]);
  });

  it('tells empty (null) from quoted text that only looks empty or null', async () => {
    const { table } = await read('a,b,n\n"",x,1\n,y,2\n" ",z,3\n"NA",NA,4\n');
    // An empty field is null, quoted or not; a quoted space or a quoted null token is text.
    expect(columnsOf(table)).toEqual({
      a: [null, null, ' ', 'NA'],
      b: ['x', 'y', 'z', null],
      n: [1, 2, 3, 4],
    });
  });
});

describe('readCsv: line ends', () => {
  it('reads LF, CRLF and lone CR line ends, mixed in one file', async () => {
    for (const text of [
      'a,b\n1,x\n2,y\n',
      'a,b\r\n1,x\r\n2,y\r\n',
      'a,b\r1,x\r2,y\r',
      'a,b\r\n1,x\r2,y\n',
      'a,b\n1,x\r\n2,y',
    ]) {
      const { table, warnings } = await read(text);
      expect([text, columnsOf(table)]).toEqual([text, { a: [1, 2], b: ['x', 'y'] }]);
      expect(warnings).toEqual([]);
    }
  });

  it('reads the last record without a trailing line break', async () => {
    expect(columnsOf((await read('a,b\n1,x\n2,y')).table)).toEqual({ a: [1, 2], b: ['x', 'y'] });
    expect(columnsOf((await read('a,b\n1,"x"')).table)).toEqual({ a: [1], b: ['x'] });
    expect(columnsOf((await read('a,b\n1,')).table)).toEqual({ a: [1], b: [null] });
    expect(columnsOf((await read('a,b\n1,\n')).table)).toEqual({ a: [1], b: [null] });
  });

  it('skips blank lines anywhere, whatever their line end', async () => {
    const { table, warnings } = await read('\n\r\n\ra,b\n\n1,x\r\n\r\n\r2,y\n\n\n');
    expect(columnsOf(table)).toEqual({ a: [1, 2], b: ['x', 'y'] });
    expect(warnings).toEqual([]);
  });

  it('drops a UTF-8 BOM, also before a quoted header', async () => {
    for (const text of ['\ufeffa,b\n1,2\n', '\ufeff"a",b\n1,2\n', '\ufeff\na,b\n1,2']) {
      const { table } = await read(text, {}, 1);
      expect(table.columns.map((column) => column.name)).toEqual(['a', 'b']);
      expect(table.length).toBe(1);
    }
  });
});

describe('readCsv: files without rows', () => {
  it('reads a header alone as typed-less columns without rows', async () => {
    for (const text of ['a,b', 'a,b\n', 'a,b\r\n\r\n']) {
      const { table } = await read(text);
      expect(table.length).toBe(0);
      expect(table.columns.map((column) => [column.name, column.data.type])).toEqual([
        ['a', 'string'],
        ['b', 'string'],
      ]);
    }
  });

  it('reads an empty file, or one of blank lines or a BOM only, as an empty table', async () => {
    for (const text of ['', '\n\n', '\r\n', '\ufeff', '\ufeff\r\n']) {
      const { table, warnings } = await read(text);
      expect(table).toEqual({ columns: [], length: 0 });
      expect(warnings).toEqual([]);
    }
  });

  it('reads a file of one column, without a delimiter anywhere', async () => {
    const { table } = await read('dose\n1.5\n\n2\n');
    expect(columnsOf(table)).toEqual({ dose: [1.5, 2] });
  });
});

describe('readCsv: ragged rows', () => {
  it('pads short rows with nulls and drops extra fields, naming the 1-based line', async () => {
    const text = 'a,b,c\n1,2,3\n4,5\n"multi\nline",7,8,9\n\n10,11,12,13,14\n15\n';
    const { table, warnings } = await read(text);
    expect(columnsOf(table)).toEqual({
      a: ['1', '4', 'multi\nline', '10', '15'],
      b: [2, 5, 7, 11, null],
      c: [3, null, 8, 12, null],
    });
    const ragged = warnings.filter((warning) => warning.kind === 'ragged-row');
    expect(ragged.map((warning) => warning.line)).toEqual([3, 4, 7, 8]);
    expect(ragged.map((warning) => warning.message)).toEqual([
      'Line 3 has 2 fields but the header has 3; the missing value is empty.',
      'Line 4 has 4 fields but the header has 3; the last 1 field was left out.',
      'Line 7 has 5 fields but the header has 3; the last 2 fields were left out.',
      'Line 8 has 1 field but the header has 3; the missing values are empty.',
    ]);
  });

  it('counts lines across embedded CR, LF and CRLF line breaks and blank lines', async () => {
    const text = 'a,b\r\n"1\r\n2","3\r4"\r\n\r\n"5\n6",7\rshort\n';
    const { warnings } = await read(text);
    expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([['ragged-row', 8]]);
  });

  it('keeps 100 warnings and counts them all', async () => {
    const text = `a,b\n${'1\n'.repeat(250)}`;
    const { table, warnings, warningCount } = await read(text, {}, 64);
    expect(table.length).toBe(250);
    expect(warnings).toHaveLength(100);
    expect(warningCount).toBe(250);
    expect(warnings.at(-1)!.line).toBe(101);
  });
});

describe('readCsv: malformed files', () => {
  it('names the line and column of a quote never closed, after embedded line breaks', async () => {
    const error = await errorOf(() => read('a,b\n1,"x\ny"\n2,"open\n3,4\n'));
    expect(error.code).toBe('parse_error');
    expect([error.line, error.column]).toEqual([4, 3]);
    expect(error.message).toContain('Line 4, column 3');
    expect(error.message).toContain('never closed');
  });

  it('counts the column in characters, not bytes', async () => {
    const error = await errorOf(() => read('a,b,c\nα,βγ,"open'));
    expect([error.line, error.column]).toEqual([2, 6]);
  });

  it('names the place of text after a closing quote', async () => {
    const error = await errorOf(() => read('a,b\n1,2\n"x"y,2\n'));
    expect(error.code).toBe('parse_error');
    expect([error.line, error.column]).toEqual([3, 4]);
    expect(error.message).toContain("followed by 'y'");
  });

  it('refuses UTF-16 with a byte offset, and a header with zero bytes', async () => {
    const utf16 = await errorOf(() => read(new Uint8Array([0xff, 0xfe, 0x61, 0, 0x0a, 0])));
    expect([utf16.code, utf16.offset]).toEqual(['parse_error', 0]);
    expect(utf16.message).toContain('UTF-16');
    const binary = await errorOf(() => read(new Uint8Array([0x61, 0, 0x62, 0x0a, 0x31])));
    expect([binary.code, binary.line]).toEqual(['parse_error', 1]);
  });

  it('replaces invalid UTF-8 and warns once, naming the first line that holds it', async () => {
    const bytes = new Uint8Array([
      ...encoder.encode('name,n\nok,1\n'),
      ...[0x61, 0xff, 0x62, 0x2c, 0x32, 0x0a],
      ...[0xc3, 0x2c, 0x33, 0x0a],
    ]);
    const { table, warnings } = await read(bytes);
    expect(columnsOf(table).name).toEqual(['ok', 'a\ufffdb', '\ufffd']);
    expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([['invalid-utf8', 3]]);
  });

  it('names the earliest line with invalid UTF-8 even when a later column is read first', async () => {
    const bytes = new Uint8Array([
      ...encoder.encode('a,b\nx,'),
      ...[0xff, 0x0a],
      ...[0xff, 0x2c, 0x79, 0x0a],
    ]);
    const { warnings } = await read(bytes);
    expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([['invalid-utf8', 2]]);
  });
});

describe('readCsv: delimiters', () => {
  const rows = [
    ['id', 'name', 'dose'],
    ['1', 'a b', '0.5'],
    ['2', '"x, y; z | w"', '1.5'],
  ];

  for (const [label, delimiter] of [
    ['tab', '\t'],
    ['semicolon', ';'],
    ['pipe', '|'],
    ['comma', ','],
  ] as const) {
    it(`detects and reads the ${label} delimiter, and takes it when given`, async () => {
      const text = rows.map((row) => row.join(delimiter)).join('\n');
      const expected = { id: [1, 2], name: ['a b', 'x, y; z | w'], dose: [0.5, 1.5] };
      expect(columnsOf((await read(text)).table)).toEqual(expected);
      expect(columnsOf((await read(text, { delimiter })).table)).toEqual(expected);
    });
  }

  it('ignores delimiters inside quotes in the header when detecting', async () => {
    const { table } = await read('"a,b,c";d\n1;2\n');
    expect(table.columns.map((column) => column.name)).toEqual(['a,b,c', 'd']);
  });

  it('takes a decimal comma in semicolon-separated files', async () => {
    const { table } = await read('x;y\n1,5;2\n-0,25;3\n');
    expect(columnsOf(table)).toEqual({ x: [1.5, -0.25], y: [2, 3] });
  });

  it('refuses a delimiter it does not read', async () => {
    const error = await errorOf(() => read('a:b\n', { delimiter: ':' as ',' }));
    expect(error.code).toBe('invalid_request');
  });
});
