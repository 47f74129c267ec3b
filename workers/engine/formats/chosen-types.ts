/**
 * What every reader that honours `columnTypes` (CSV, TSV, JSON lines) does the same way, so that a
 * type chosen for a column behaves alike whatever file it came in: the check of the request, the
 * warning for a value that does not fit the chosen type, and the warning for a chosen type whose
 * column the file does not have.
 *
 * A value that does not fit becomes null rather than stopping the load: what a scientist needs
 * then is to find those values, so one warning per column names the first few with their lines
 * and counts the rest (`value-dropped`). A name the file does not have is most often a choice
 * made for an earlier version of the file, or a name spelled differently; the rest of the file
 * still loads, so it is told (`unknown-column`), not refused.
 */
import { LOGICAL_TYPES, type LogicalType } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import type { LoadWarning } from '../protocol.ts';

/** Types chosen by the user, by column name. */
export type ColumnTypes = Readonly<Record<string, LogicalType>>;

/** How many values that did not fit a chosen type a warning names; the rest are counted. */
const VALUES_NAMED = 5;

/**
 * Refuses a type the engine does not know, as `invalid_request`.
 *
 * @example
 * checkColumnTypes({ dose: 'float' }); // passes
 */
export function checkColumnTypes(columnTypes: ColumnTypes): void {
  for (const [name, type] of Object.entries(columnTypes)) {
    if (!LOGICAL_TYPES.includes(type)) {
      throw new EngineError({
        code: 'invalid_request',
        message: `Invalid request: "${String(type)}" is not a column type (column "${name}").`,
      });
    }
  }
}

/**
 * The type chosen for the column `name`, if any (own keys only: a column may be named
 * `constructor`).
 *
 * @example
 * chosenType({ dose: 'float' }, 'dose'); // 'float'
 */
export function chosenType(columnTypes: ColumnTypes, name: string): LogicalType | undefined {
  return Object.hasOwn(columnTypes, name) ? columnTypes[name] : undefined;
}

/**
 * One `unknown-column` warning for each chosen type whose column is not among `names`, in the
 * order the types were given.
 *
 * @example
 * unknownColumnWarnings({ Dose: 'float' }, ['dose']); // [{ kind: 'unknown-column', column: 'Dose', … }]
 */
export function unknownColumnWarnings(
  columnTypes: ColumnTypes,
  names: readonly string[],
): LoadWarning[] {
  const known = new Set(names);
  return Object.entries(columnTypes)
    .filter(([name]) => !known.has(name))
    .map(([name, type]) => ({
      kind: 'unknown-column',
      column: name,
      message: `The type ${type} was chosen for a column "${name}", but the file has no column of that name (names must match exactly, case and spaces included); the choice was not applied.`,
    }));
}

/**
 * The values of one column that did not fit its chosen type: the first few as the message shows
 * them, with their lines, and how many there were.
 *
 * @example
 * const dropped = new DroppedValues('dose', 'float');
 * dropped.note(14, '"n.d."');
 * dropped.warning().message; // 'Column "dose" is read as float, as chosen; 1 value could not …'
 */
export class DroppedValues {
  count = 0;
  private readonly named: { readonly shown: string; readonly line: number }[] = [];

  constructor(
    private readonly column: string,
    private readonly type: LogicalType,
  ) {}

  /** Notes a value on `line` that did not fit; `shown` is the value as the message writes it. */
  note(line: number, shown: string): void {
    this.count++;
    if (this.named.length < VALUES_NAMED) this.named.push({ shown, line });
  }

  /** The column's `value-dropped` warning for the values noted so far (at least one). */
  warning(): LoadWarning {
    const { count, type, column } = this;
    const values = count === 1 ? '1 value' : `${count} values`;
    const named = this.named.map(({ shown, line }) => `${shown} on line ${line}`);
    const more = count > named.length ? `, and ${count - named.length} more` : '';
    return {
      kind: 'value-dropped',
      line: this.named[0]!.line,
      column,
      message: `Column "${column}" is read as ${type}, as chosen; ${values} could not be read as ${type} and ${count === 1 ? 'is' : 'are'} left empty (null): ${named.join(', ')}${more}.`,
    };
  }
}
