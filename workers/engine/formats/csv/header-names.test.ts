/**
 * Tests of the names a header gives its columns: kept as written, blank ones numbered, repeated
 * ones suffixed without taking a name the header uses further on, each change warned about.
 */
import { describe, expect, it } from 'vitest';
import { uniqueColumnNames } from './header-names.ts';
import { WarningLog } from './warning-log.ts';

function names(raw: string[]) {
  const log = new WarningLog();
  return { names: uniqueColumnNames(raw, 3, log), warnings: log.list() };
}

describe('uniqueColumnNames', () => {
  it('keeps names as written, spaces and case included', () => {
    expect(names([' dose ', 'Dose', 'dose (mg/L)'])).toEqual({
      names: [' dose ', 'Dose', 'dose (mg/L)'],
      warnings: [],
    });
  });

  it('numbers blank names by position and suffixes repeats, warning with the header line', () => {
    const { names: renamed, warnings } = names(['a', '', 'a', '  ', 'a_2', 'column_2']);
    expect(renamed).toEqual(['a', 'column_2_2', 'a_3', 'column_4', 'a_2', 'column_2']);
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['renamed', 3, 'column_2_2'],
      ['renamed', 3, 'a_3'],
      ['renamed', 3, 'column_4'],
    ]);
    expect(warnings[1]!.message).toBe(
      'Column 3 is called "a" like an earlier column; it is called "a_3".',
    );
    expect(warnings[2]!.message).toBe(
      'Column 4 has no name in the header; it is called "column_4".',
    );
  });
});
