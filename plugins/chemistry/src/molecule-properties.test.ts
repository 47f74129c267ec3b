/**
 * The chemistry core against real openchemlib on molecules whose values are known (weights and
 * formulas from the periodic table; logP compared by ordering, since it is an estimate).
 */
import { describe, expect, it } from 'vitest';
import { computeMoleculeColumns, moleculeProperties } from './molecule-properties.ts';

describe('moleculeProperties', () => {
  it('gives ethanol as C2H6O, 46.07 g/mol', () => {
    const ethanol = moleculeProperties('CCO');
    expect(ethanol?.formula).toBe('C2H6O');
    expect(ethanol?.mw).toBeCloseTo(46.07, 2);
  });

  it('reads aromatic and charged SMILES', () => {
    expect(moleculeProperties('c1ccccc1')).toMatchObject({ formula: 'C6H6' });
    expect(moleculeProperties('c1ccccc1')?.mw).toBeCloseTo(78.11, 2);
    expect(moleculeProperties('CC(=O)Oc1ccccc1C(=O)O')?.formula).toBe('C9H8O4');
    expect(moleculeProperties('CC(=O)Oc1ccccc1C(=O)O')?.mw).toBeCloseTo(180.16, 1);
    expect(moleculeProperties('[Na+].[Cl-]')?.formula).toBe('ClNa');
  });

  it('ranks logP as chemistry does: octane above benzene above ethanol above glycerol', () => {
    const logp = (smiles: string) => moleculeProperties(smiles)?.logp as number;
    expect(logp('CCCCCCCC')).toBeGreaterThan(logp('c1ccccc1'));
    expect(logp('c1ccccc1')).toBeGreaterThan(logp('CCO'));
    expect(logp('CCO')).toBeGreaterThan(logp('OCC(O)CO'));
    expect(Number.isFinite(logp('CCO'))).toBe(true);
  });

  it('returns null for empty and invalid SMILES instead of throwing', () => {
    for (const smiles of ['', '   ', 'C1CC(', 'C1CC', 'CC)C', '[Xx]', 'xyz']) {
      expect(moleculeProperties(smiles)).toBeNull();
    }
  });
});

describe('computeMoleculeColumns', () => {
  it('fills the three columns row for row and counts invalid and missing cells apart', async () => {
    const columns = await computeMoleculeColumns(['CCO', 'not smiles', null, '', 'O']);
    expect(columns.formula).toEqual(['C2H6O', null, null, null, 'H2O']);
    expect(columns.mw.map((value) => (value === null ? null : Math.round(value)))).toEqual([
      46,
      null,
      null,
      null,
      18,
    ]);
    expect(columns.logp[1]).toBeNull();
    expect(columns.invalid).toBe(1);
    expect(columns.missing).toBe(2);
  });

  it('reports progress between slices', async () => {
    const seen: number[] = [];
    await computeMoleculeColumns(['C', 'CC', 'CCC', 'CCCC', 'CCCCC'], {
      progressEvery: 2,
      onProgress: (done) => {
        seen.push(done);
      },
    });
    expect(seen).toEqual([2, 4]);
  });
});
