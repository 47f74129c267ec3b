/**
 * What is sealed of a dataset's metadata, and that only descriptions of the expected shape are
 * accepted back.
 */
import { describe, expect, it } from 'vitest';
import type { LocalDatasetMetadata } from './local-dataset.ts';
import { describedBy, sealedDescriptionOf } from './sealed-description.ts';

const metadata: LocalDatasetMetadata = {
  id: 'd1',
  ownerId: 'user-1',
  name: 'Assay plate 7',
  format: 'csv',
  sourceName: 'plate-7.csv',
  rows: 96,
  columns: [
    { name: 'well', type: 'string' },
    { name: 'signal', type: 'float' },
  ],
  byteSize: 4096,
  createdAt: '2025-01-02T03:04:05.000Z',
  lastOpenedAt: '2025-01-03T00:00:00.000Z',
  chunkCount: 1,
};
const clear = { id: metadata.id, ownerId: metadata.ownerId, createdAt: metadata.createdAt };

/** The description as it comes out of decryption: parsed JSON. */
function throughJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

describe('sealed descriptions', () => {
  it('hold everything but the clear fields, and give the metadata back whole', () => {
    const sealed = sealedDescriptionOf(metadata);
    expect(sealed).not.toHaveProperty('id');
    expect(sealed).not.toHaveProperty('ownerId');
    expect(sealed).not.toHaveProperty('createdAt');
    expect(describedBy(clear, throughJson(sealed))).toEqual(metadata);
  });

  it('refuse shapes this version does not read', () => {
    const sealed = throughJson(sealedDescriptionOf(metadata)) as Record<string, unknown>;
    const broken: unknown[] = [
      null,
      [],
      'Assay plate 7',
      { ...sealed, format: 'xlsx' },
      { ...sealed, rows: -1 },
      { ...sealed, rows: 1.5 },
      { ...sealed, chunkCount: 0 },
      { ...sealed, byteSize: undefined },
      { ...sealed, name: 7 },
      { ...sealed, columns: [{ name: 'well', type: 'decimal' }] },
      { ...sealed, columns: [{ name: 3, type: 'int' }] },
      { ...sealed, columns: 'well' },
    ];
    for (const value of broken) expect(describedBy(clear, value)).toBeUndefined();
  });

  it('take only the known fields of each column', () => {
    const withExtra = {
      ...sealedDescriptionOf(metadata),
      columns: [{ name: 'well', type: 'string', note: 'ignored' }],
    };
    expect(describedBy(clear, withExtra)?.columns).toEqual([{ name: 'well', type: 'string' }]);
  });
});
