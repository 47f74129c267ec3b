/**
 * Adds a plugin's result columns to a table as a new table, never changing the one it had: the
 * table's columns are the same objects (no buffer is copied or written), followed by the
 * result's. A result column named like one the table has is renamed `<plugin>: <name>`, so the
 * user's columns keep their names and the new one says where it came from.
 */
import type { Column, ColumnTable } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import type { LoadWarning } from '../protocol.ts';

/**
 * A name no column of `taken` has: `name`, else `<label>: <name>`, else that with ` (2)`, ` (3)`…
 */
function freeName(name: string, label: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  const prefixed = `${label}: ${name}`;
  let candidate = prefixed;
  for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${prefixed} (${suffix})`;
  return candidate;
}

/**
 * `table`'s columns, as they are, then `added`'s, renamed where a name is taken (with a
 * `renamed` warning each).
 *
 * @example
 * const { table: joined } = joinColumns(table, result.table, 'enclave.stats');
 * joined.columns[0] === table.columns[0]; // true: shared, not copied
 */
export function joinColumns(
  table: ColumnTable,
  added: ColumnTable,
  label: string,
): { table: ColumnTable; warnings: LoadWarning[] } {
  if (added.length !== table.length) {
    throw new EngineError({
      code: 'invalid_request',
      message: `The result of plugin "${label}" was refused: it has ${added.length} rows where the table has ${table.length}.`,
    });
  }
  const taken = new Set(table.columns.map((column) => column.name));
  const warnings: LoadWarning[] = [];
  const renamed = added.columns.map((column): Column => {
    const name = freeName(column.name, label, taken);
    taken.add(name);
    if (name === column.name) return column;
    warnings.push({
      kind: 'renamed',
      column: name,
      message: `The table already has a column "${column.name}"; the one plugin "${label}" made is called "${name}".`,
    });
    return { ...column, name };
  });
  return { table: { length: table.length, columns: [...table.columns, ...renamed] }, warnings };
}
