import { RecordBatchStreamReader, TimestampMicrosecond, type Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { arrowStreamFromRows, readArrowIpcSummary, type ArrowColumn } from './index.ts';

const allKinds: ArrowColumn[] = [
  { name: 'i', kind: 'int32' },
  { name: 'big', kind: 'int64' },
  { name: 'f', kind: 'float64' },
  { name: 'b', kind: 'bool' },
  { name: 's', kind: 'utf8' },
  { name: 'd', kind: 'date' },
  { name: 't', kind: 'timestamp' },
];

async function* batchesOf(...batches: unknown[][][]) {
  yield* batches;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const all: Uint8Array[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

const joined = (chunks: Uint8Array[]) => Buffer.concat(chunks);

describe('arrowStreamFromRows', () => {
  it('round-trips every kind, nulls and bigints through readArrowIpcSummary', async () => {
    const rows = [
      [
        -2147483648,
        9007199254740993n,
        1.5,
        true,
        'größe ✓',
        new Date('2024-02-29T00:00:00Z'),
        new Date('2024-01-02T03:04:05.678Z'),
      ],
      [null, null, null, null, null, null, null],
      [2147483647, -1n, Number.NaN, false, '', new Date('1969-12-31T00:00:00Z'), 0n],
    ];
    const chunks = await collect(
      arrowStreamFromRows(allKinds, batchesOf(rows.slice(0, 2), rows.slice(2))),
    );
    const summary = readArrowIpcSummary(joined(chunks));
    expect(summary.rowCount).toBe(3);
    expect(summary.columns).toEqual([
      { name: 'i', type: 'int32' },
      { name: 'big', type: 'int64' },
      { name: 'f', type: 'float64' },
      { name: 'b', type: 'bool' },
      { name: 's', type: 'utf8' },
      { name: 'd', type: 'date32' },
      { name: 't', type: 'timestamp[us]' },
    ]);
    expect(summary.rows()).toEqual([rows[0], rows[1], [...rows[2]!.slice(0, 6), new Date(0)]]);
  });

  it('writes the schema first, one message per non-empty batch, and the end marker last', async () => {
    const columns: ArrowColumn[] = [{ name: 'n', kind: 'int32' }];
    const chunks = await collect(arrowStreamFromRows(columns, batchesOf([[1], [2]], [], [[3]])));
    expect(chunks).toHaveLength(4);
    expect(Array.from(chunks[3]!)).toEqual([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    const reader = RecordBatchStreamReader.from(joined(chunks));
    expect([...reader].map((batch) => batch.numRows)).toEqual([2, 1]);
  });

  it('writes only the schema and the end marker for an empty result', async () => {
    const chunks = await collect(arrowStreamFromRows(allKinds, batchesOf()));
    expect(chunks).toHaveLength(2);
    const summary = readArrowIpcSummary(joined(chunks));
    expect(summary.rowCount).toBe(0);
    expect(summary.columns.map((column) => column.name)).toEqual(allKinds.map((c) => c.name));
  });

  it('keeps timestamps to the microsecond', async () => {
    const micros = 1_704_164_645_123_456n;
    const chunks = await collect(
      arrowStreamFromRows([{ name: 't', kind: 'timestamp' }], batchesOf([[micros]])),
    );
    const [batch] = [...RecordBatchStreamReader.from(joined(chunks))];
    const column = batch!.getChildAt(0) as Vector<TimestampMicrosecond>;
    expect(column.type.unit).toBe(new TimestampMicrosecond().unit);
    expect(column.data[0]!.values[0]).toBe(micros);
  });

  it('encodes a batch only when it is asked for the next chunk', async () => {
    let produced = 0;
    async function* counting() {
      for (let batch = 0; batch < 3; batch++) {
        produced++;
        yield [[batch]];
      }
    }
    const stream = arrowStreamFromRows([{ name: 'n', kind: 'int32' }], counting());
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // the schema
    await iterator.next(); // the first batch
    expect(produced).toBe(1);
    await iterator.return?.();
  });

  it('stops reading its input when the consumer stops', async () => {
    let closed = false;
    async function* endless() {
      try {
        for (;;) yield [[1]];
      } finally {
        closed = true;
      }
    }
    const stream = arrowStreamFromRows([{ name: 'n', kind: 'int32' }], endless());
    let chunks = 0;
    for await (const chunk of stream) {
      expect(chunk.length).toBeGreaterThan(0);
      if (++chunks === 2) break; // the schema, then the first batch
    }
    expect(closed).toBe(true);
  });

  it('refuses a value its column cannot hold, naming the column', async () => {
    const bad = arrowStreamFromRows([{ name: 'n', kind: 'int32' }], batchesOf([[1.5]]));
    await expect(collect(bad)).rejects.toThrow(/Column "n" \(int32\) cannot hold a number/);
    const overflow = arrowStreamFromRows([{ name: 'n', kind: 'int64' }], batchesOf([[2n ** 63n]]));
    await expect(collect(overflow)).rejects.toThrow(TypeError);
  });
});
