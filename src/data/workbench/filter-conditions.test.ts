import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../../workers/engine/protocol.ts';
import { ConditionError, opsFor, toPredicate, type Condition } from './filter-conditions.ts';

const columns: ColumnSchema[] = [
  { name: 'dose', type: 'float', nullCount: 0 },
  { name: 'compound', type: 'category', nullCount: 0 },
  { name: 'active', type: 'bool', nullCount: 2 },
  { name: 'day', type: 'date', nullCount: 0 },
];

const condition = (column: string, op: Condition['op'], value = ''): Condition => ({
  id: `${column}-${op}`,
  column,
  op,
  value,
});

describe('toPredicate', () => {
  it('gives nothing for no conditions and the condition itself for one', () => {
    expect(toPredicate([], 'and', columns)).toBeUndefined();
    expect(toPredicate([condition('dose', 'gt', ' 5.5 ')], 'and', columns)).toEqual({
      op: 'gt',
      column: 'dose',
      value: 5.5,
    });
  });

  it('joins several with the combinator and types each value by its column', () => {
    const predicate = toPredicate(
      [
        condition('dose', 'le', '10'),
        condition('compound', 'contains', 'mab'),
        condition('active', 'is_true'),
        condition('day', 'ge', '2024-05-31'),
        condition('compound', 'is_null'),
      ],
      'or',
      columns,
    );
    expect(predicate).toEqual({
      op: 'or',
      predicates: [
        { op: 'le', column: 'dose', value: 10 },
        { op: 'contains', column: 'compound', value: 'mab' },
        { op: 'eq', column: 'active', value: true },
        { op: 'ge', column: 'day', value: '2024-05-31' },
        { op: 'is_null', column: 'compound' },
      ],
    });
  });

  it('names the condition whose value does not fit', () => {
    for (const bad of [condition('dose', 'gt', 'ten'), condition('day', 'eq', '31/05/2024')]) {
      expect(() => toPredicate([bad], 'and', columns)).toThrow(ConditionError);
      try {
        toPredicate([bad], 'and', columns);
      } catch (error) {
        expect((error as ConditionError).conditionId).toBe(bad.id);
      }
    }
    expect(() => toPredicate([condition('gone', 'eq', '1')], 'and', columns)).toThrow('gone');
  });

  it('offers operators that fit the type', () => {
    expect(opsFor('bool')).not.toContain('lt');
    expect(opsFor('string')).toContain('contains');
    expect(opsFor('float')).not.toContain('contains');
  });
});
