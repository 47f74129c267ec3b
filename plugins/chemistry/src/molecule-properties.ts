/**
 * The chemistry plugin's pure core: molecular weight, formula and logP of SMILES strings with
 * openchemlib (its one JavaScript build: no WebAssembly, no eval, no DOM at load, so it runs in
 * the plugin's worker under the plugin CSP). No SDK here, so it is tested in Node.
 */
import { Molecule, MoleculeProperties } from 'openchemlib';

export interface MoleculePropertyValues {
  /** Average molecular weight in g/mol (natural isotope abundances). */
  readonly mw: number;
  /** Hill-order molecular formula, e.g. `C2H6O`. */
  readonly formula: string;
  /** openchemlib's atom-contribution estimate of the octanol/water partition coefficient. */
  readonly logp: number;
}

/**
 * The properties of one SMILES string, or null when it is empty or not valid SMILES.
 *
 * @example
 * moleculeProperties('CCO'); // { mw: 46.068…, formula: 'C2H6O', logp: 0.05… }
 * moleculeProperties('C1CC('); // null
 */
export function moleculeProperties(smiles: string): MoleculePropertyValues | null {
  const trimmed = smiles.trim();
  if (trimmed === '') return null;
  let molecule: Molecule;
  try {
    molecule = Molecule.fromSmiles(trimmed);
  } catch {
    return null;
  }
  if (molecule.getAllAtoms() === 0) return null;
  const formula = molecule.getMolecularFormula();
  return {
    mw: formula.relativeWeight,
    formula: formula.formula,
    logp: new MoleculeProperties(molecule).logP,
  };
}

/** The result columns for a SMILES column, row for row, and how many rows had no valid SMILES. */
export interface MoleculeColumns {
  readonly mw: (number | null)[];
  readonly formula: (string | null)[];
  readonly logp: (number | null)[];
  /** Rows with a value that is not valid SMILES (missing cells are not counted). */
  readonly invalid: number;
  /** Rows with no value at all. */
  readonly missing: number;
}

export interface ComputeMoleculeColumnsOptions {
  /** Called every `progressEvery` rows, so a worker can show progress and answer heartbeats. */
  readonly onProgress?: (done: number, total: number) => Promise<void> | void;
  readonly progressEvery?: number;
}

/**
 * `mw`, `formula` and `logp` for every cell of a SMILES column; invalid or missing → null.
 * Awaits `onProgress` between slices so a long column never blocks the worker for long.
 *
 * @example
 * const columns = await computeMoleculeColumns(['CCO', 'nonsense', null]);
 * columns.formula; // ['C2H6O', null, null]
 * columns.invalid; // 1
 */
export async function computeMoleculeColumns(
  smilesColumn: ArrayLike<unknown>,
  options: ComputeMoleculeColumnsOptions = {},
): Promise<MoleculeColumns> {
  const total = smilesColumn.length;
  const progressEvery = options.progressEvery ?? 500;
  const mw = new Array<number | null>(total);
  const formula = new Array<string | null>(total);
  const logp = new Array<number | null>(total);
  let invalid = 0;
  let missing = 0;
  for (let index = 0; index < total; index += 1) {
    const cell = smilesColumn[index];
    const values = typeof cell === 'string' && cell.trim() !== '' ? moleculeProperties(cell) : null;
    if (values === null) {
      if (typeof cell === 'string' && cell.trim() !== '') invalid += 1;
      else missing += 1;
    }
    mw[index] = values?.mw ?? null;
    formula[index] = values?.formula ?? null;
    logp[index] = values?.logp ?? null;
    if (options.onProgress && (index + 1) % progressEvery === 0) {
      await options.onProgress(index + 1, total);
    }
  }
  return { mw, formula, logp, invalid, missing };
}
