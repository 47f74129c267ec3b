/**
 * Column names from the header row: a blank name becomes `column_N` (its 1-based position) and a
 * repeated one gets a suffix (`dose`, `dose_2`), each with a `renamed` warning, because the
 * engine finds columns by name and every name must be unique. Names are otherwise kept exactly
 * as written (spaces included), so they match what the user sees in the file.
 */
import type { WarningLog } from './warning-log.ts';

/**
 * Unique, non-blank names for the header's fields, warning about each name changed.
 *
 * @example
 * uniqueColumnNames(['id', '', 'id'], 1, log); // ['id', 'column_2', 'id_2']
 */
export function uniqueColumnNames(raw: readonly string[], line: number, log: WarningLog): string[] {
  const taken = new Set(raw.filter((name) => name.trim() !== ''));
  const seen = new Set<string>();
  return raw.map((name, index) => {
    const blank = name.trim() === '';
    if (!blank && !seen.has(name)) {
      seen.add(name);
      return name;
    }
    const stem = blank ? `column_${index + 1}` : name;
    let renamed = stem;
    for (let suffix = 2; taken.has(renamed); suffix++) renamed = `${stem}_${suffix}`;
    taken.add(renamed);
    log.add({
      kind: 'renamed',
      line,
      column: renamed,
      message: blank
        ? `Column ${index + 1} has no name in the header; it is called "${renamed}".`
        : `Column ${index + 1} is called "${name}" like an earlier column; it is called "${renamed}".`,
    });
    return renamed;
  });
}
