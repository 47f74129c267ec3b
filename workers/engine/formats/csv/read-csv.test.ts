/**
 * Tests of `readCsv` as a whole: what a CSV writer writes is read back exactly; how a file is cut
 * into chunks (inside quotes, between CR and LF, inside a UTF-8 character) changes nothing, not
 * the table and not the warnings; random bytes never crash it; progress and cancellation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOGICAL_TYPES, valueAt, type ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import type { LogicalType } from '../../protocol.ts';
import { chunksOf, readChunks } from '../../sources/read-chunks.ts';
import { readCsv, type CsvReadOptions, type CsvReadResult } from './index.ts';

const encoder = new TextEncoder();

async function* chunksCutAt(bytes: Uint8Array, cuts: readonly number[]) {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) yield bytes.subarray(from, cut);
    from = Math.max(from, cut);
  }
}

/** Everything a read gives, in plain values, or the error it ends with. */
async function outcome(chunks: AsyncIterable<Uint8Array>, options: CsvReadOptions = {}) {
  try {
    const { table, warnings, warningCount } = await readCsv(chunks, options);
    return { table: plain(table), warnings, warningCount };
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return { error: error.toData() };
  }
}

function plain(table: ColumnTable) {
  return table.columns.map((column) => ({
    name: column.name,
    kind: column.data.kind,
    type: column.data.type,
    values: Array.from({ length: table.length }, (_, row) => valueAt(column.data, row)),
  }));
}

/** Cut positions: anywhere in the bytes, sorted. */
function cutsIn(length: number) {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 12 })
    .map((cuts) => cuts.sort((a, b) => a - b));
}

const NULL_TOKENS = new Set(['NA', 'N/A', 'n/a', '#N/A', 'null', 'NULL', 'None', 'NaN', 'nan']);

/** Text values meant to be awkward: delimiters, quotes, line breaks, spaces, non-ASCII. */
const awkwardText = fc
  .array(
    fc.constantFrom(
      'a',
      'Z',
      '1',
      '.',
      '-',
      ',',
      ';',
      '\t',
      '|',
      '"',
      '""',
      '\n',
      '\r',
      '\r\n',
      ' ',
      'é',
      '😀',
      'NA',
      'e5',
      '2024-05-31',
      'T12:00',
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const typedText = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.boolean().map((flag) => (flag ? 'TRUE' : 'false')),
  fc
    .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01') })
    .map((date) => (Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10))),
  fc.constantFrom('', 'NA', 'null', '2024-05-31T12:00:00+02:00', '007', ' 5 '),
);

interface WrittenFile {
  readonly bytes: Uint8Array;
  readonly delimiter: ',' | '\t' | ';' | '|';
  readonly columns: number;
  /** What each column holds when read as text: the values, null where the field is null. */
  readonly expected: (string | null)[][];
}

/** A file as a CSV writer would write it: every field quoted when it must be, or always. */
const writtenFile: fc.Arbitrary<WrittenFile> = fc
  .record({
    columns: fc.integer({ min: 1, max: 4 }),
    delimiter: fc.constantFrom<WrittenFile['delimiter']>(',', '\t', ';', '|'),
    lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
    quoteAll: fc.boolean(),
    bom: fc.boolean(),
    trailingLineEnd: fc.boolean(),
    cells: fc.array(fc.array(fc.oneof(awkwardText, typedText), { minLength: 4, maxLength: 4 }), {
      maxLength: 30,
    }),
  })
  .map(({ columns, delimiter, lineEnd, quoteAll, bom, trailingLineEnd, cells }) => {
    const rows = cells.map((cell) => cell.slice(0, columns));
    // An empty field is always quoted: unquoted, a one-column row of it would be a blank line.
    const quoted = (value: string) =>
      quoteAll || value === '' || /["\r\n]/.test(value) || value.includes(delimiter);
    const field = (value: string) => (quoted(value) ? `"${value.replaceAll('"', '""')}"` : value);
    const header = Array.from({ length: columns }, (_, index) => `c${index}`);
    const lines = [header, ...rows].map((row) => row.map(field).join(delimiter));
    const text = `${bom ? '\ufeff' : ''}${lines.join(lineEnd)}${trailingLineEnd ? lineEnd : ''}`;
    const expected = header.map((_, index) =>
      rows.map((row) => {
        const value = row[index]!;
        return value === '' || (!quoted(value) && NULL_TOKENS.has(value)) ? null : value;
      }),
    );
    return { bytes: encoder.encode(text), delimiter, columns, expected };
  });

/** Types chosen for some of a written file's columns, and for one it does not have. */
const chosenTypes = fc.dictionary(
  fc.constantFrom('c0', 'c1', 'c2', 'c3', 'missing'),
  fc.constantFrom(...LOGICAL_TYPES),
  { maxKeys: 3 },
);

/** Bytes that are mostly CSV-like and often broken. */
const roughBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom('a', '1', '2.5', ',', ';', '"', '""', '\n', '\r', '\r\n', ' ', 'é', '😀'),
      fc.constantFrom('NA', '-', 'e', 'TRUE', '2024-05-31', 'x,y', '\t', '\ufeff'),
    ),
    { maxLength: 60 },
  )
  .chain((parts) =>
    fc
      .array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 })
      .map((noise) => new Uint8Array([...encoder.encode(parts.join('')), ...noise])),
  );

describe('readCsv: what a writer wrote is read back', () => {
  it('reads every field back exactly, as text, whatever the quoting, delimiter and line end', async () => {
    await fc.assert(
      fc.asyncProperty(
        writtenFile,
        fc.constantFrom<LogicalType>('string', 'category'),
        async (file, type) => {
          const columnTypes = Object.fromEntries(
            Array.from({ length: file.columns }, (_, index) => [`c${index}`, type]),
          );
          const { table, warnings } = await readCsv(chunksOf(file.bytes, 5), {
            delimiter: file.delimiter,
            columnTypes,
          });
          expect(warnings).toEqual([]);
          expect(plain(table).map((column) => column.values)).toEqual(file.expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('readCsv: chunk boundaries', () => {
  it('reads the same table and warnings however a written file is cut, types chosen or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        writtenFile.chain((file) => fc.tuple(fc.constant(file), cutsIn(file.bytes.length))),
        chosenTypes,
        async ([file, cuts], columnTypes) => {
          const whole = await outcome(chunksCutAt(file.bytes, []), { columnTypes });
          expect(await outcome(chunksCutAt(file.bytes, cuts), { columnTypes })).toEqual(whole);
          expect(await outcome(chunksOf(file.bytes, 1), { columnTypes })).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the same table, warnings or error however rough bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        roughBytes.chain((bytes) => fc.tuple(fc.constant(bytes), cutsIn(bytes.length))),
        async ([bytes, cuts]) => {
          const whole = await outcome(chunksCutAt(bytes, []));
          expect(await outcome(chunksCutAt(bytes, cuts))).toEqual(whole);
          expect(await outcome(chunksOf(bytes, 1))).toEqual(whole);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads the same when cut inside CRLF, a multi-byte character or an escaped quote', async () => {
    const text = 'név,"say ""hi""\r\nnow"\r\n😀,"a\r\nb"\r\n"é""",1\r\n';
    const bytes = encoder.encode(text);
    const whole = await outcome(chunksCutAt(bytes, []));
    for (let cut = 1; cut < bytes.length; cut++) {
      expect([cut, await outcome(chunksCutAt(bytes, [cut]))]).toEqual([cut, whole]);
    }
  });

  it('reads the same across batches, whatever the chunk size, types chosen or not', async () => {
    const rows = Array.from({ length: 150_000 }, (_, row) =>
      row === 140_000
        ? '"x\r\ny",late text,1'
        : `${row},${row % 7 === 0 ? '' : row * 0.5},${row % 3}`,
    );
    const bytes = encoder.encode(`id,value,group\r\n${rows.join('\r\n')}\r\n`);
    const cases: [CsvReadOptions, string[]][] = [
      [{}, ['type-widened', 'type-widened']],
      [
        { columnTypes: { id: 'int', value: 'float', group: 'bool', gone: 'date' } },
        ['unknown-column', 'value-dropped', 'value-dropped', 'value-dropped'],
      ],
    ];
    for (const [options, kinds] of cases) {
      const whole = await outcome(chunksCutAt(bytes, []), options);
      expect(whole.warnings?.map((warning) => warning.kind)).toEqual(kinds);
      for (const size of [65_537, 1_000_003]) {
        expect(await outcome(chunksOf(bytes, size), options)).toEqual(whole);
      }
    }
  });
});

describe('readCsv: from a file', () => {
  it('reads a file through its stream, whose buffer is read into again, as bytes in hand', async () => {
    const rows = Array.from({ length: 60_000 }, (_, row) => `${row},"x ${row % 13}",${row}.25`);
    const bytes = encoder.encode(`id,label,value\n${rows.join('\n')}\n`);
    const fromFile = await outcome(readChunks(new Blob([bytes])));
    expect(fromFile).toEqual(await outcome(chunksOf(bytes)));
    expect(fromFile).toMatchObject({ warningCount: 0 });
  });
});

describe('readCsv: never a crash', () => {
  it('answers random bytes with a table or a parse_error, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const result = await outcome(chunksOf(bytes, 7));
        if (result.error !== undefined) expect(result.error.code).toBe('parse_error');
      }),
      { numRuns: 500 },
    );
  });
});

describe('readCsv: progress and cancellation', () => {
  it('tells progress after each chunk, never going back, ending at the totals', async () => {
    const bytes = encoder.encode(`a,b\n${'1,x\n'.repeat(5_000)}`);
    const seen: [number, number][] = [];
    const { table } = await readCsv(chunksOf(bytes, 1_000), {
      onProgress: (bytesRead, rows) => seen.push([bytesRead, rows]),
    });
    expect(seen.length).toBeGreaterThanOrEqual(Math.ceil(bytes.length / 1_000));
    for (let k = 1; k < seen.length; k++) {
      expect(seen[k]![0]).toBeGreaterThanOrEqual(seen[k - 1]![0]);
      expect(seen[k]![1]).toBeGreaterThanOrEqual(seen[k - 1]![1]);
    }
    expect(seen.at(-1)).toEqual([bytes.length, table.length]);
    expect(table.length).toBe(5_000);
  });

  it('stops with cancelled when the signal fires, before or during the read', async () => {
    const bytes = encoder.encode(`a\n${'1\n'.repeat(10_000)}`);
    const before = new AbortController();
    before.abort();
    const early = await outcome(chunksOf(bytes, 100), { signal: before.signal });
    expect(early).toMatchObject({ error: { code: 'cancelled' } });

    const during = new AbortController();
    let chunks = 0;
    async function* aborting() {
      for await (const chunk of chunksOf(bytes, 100)) {
        if (++chunks === 3) during.abort();
        yield chunk;
      }
    }
    const late = await outcome(aborting(), { signal: during.signal });
    expect(late).toMatchObject({ error: { code: 'cancelled' } });
    expect(chunks).toBe(3);
  });

  it('stops with cancelled when the abort comes as a task while bytes in hand are read', async () => {
    const bytes = encoder.encode(`a\n${'1\n'.repeat(100_000)}`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    const result = await outcome(chunksOf(bytes, 1_000), { signal: controller.signal });
    expect(result).toMatchObject({ error: { code: 'cancelled' } });
  });
});

describe('readCsv: a bigger file', () => {
  it('reads many rows of every type with no warning', async () => {
    const lines = ['id,cat,x,day,at,ok,label'];
    for (let row = 0; row < 30_000; row++) {
      const day = new Date(Date.UTC(2000, 0, 1 + (row % 9_000)));
      lines.push(
        [
          row + 1,
          `cat_${row % 50}`,
          ((row * 7.3) % 200) - 99.5,
          day.toISOString().slice(0, 10),
          day.toISOString(),
          row % 2 === 0,
          `label${row}`,
        ].join(','),
      );
    }
    const result: CsvReadResult = await readCsv(chunksOf(encoder.encode(lines.join('\n')), 65_536));
    expect(result.warnings).toEqual([]);
    expect(result.table.columns.map((column) => [column.name, column.data.type])).toEqual([
      ['id', 'int'],
      ['cat', 'category'],
      ['x', 'float'],
      ['day', 'date'],
      ['at', 'datetime'],
      ['ok', 'bool'],
      ['label', 'string'],
    ]);
    const [id, cat, x, day, at, ok, label] = result.table.columns.map((column) => column.data);
    expect([valueAt(id!, 29_999), valueAt(cat!, 51), valueAt(x!, 3)]).toEqual([
      30_000,
      'cat_1',
      ((3 * 7.3) % 200) - 99.5,
    ]);
    expect([valueAt(day!, 1), valueAt(at!, 1), valueAt(ok!, 1), valueAt(label!, 7)]).toEqual([
      10_958,
      Date.UTC(2000, 0, 2),
      false,
      'label7',
    ]);
  });
});
