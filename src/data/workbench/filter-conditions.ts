/**
 * The workbench's filter as people build it (rows of column, operator, value, joined by "all" or
 * "any") and its translation into the engine's typed predicate. Values are checked here, so a
 * number typed into a text box reaches the engine as a number and a bad one is named before any
 * work starts.
 */
import type { ColumnSchema, LogicalType, Predicate } from '../../../workers/engine/protocol.ts';

export type ConditionOp =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'contains'
  | 'starts_with'
  | 'is_true'
  | 'is_false'
  | 'is_null'
  | 'not_null';

export interface Condition {
  readonly id: string;
  readonly column: string;
  readonly op: ConditionOp;
  /** As typed; ignored by operators that take no value. */
  readonly value: string;
}

export type Combinator = 'and' | 'or';

export const opLabels: Record<ConditionOp, string> = {
  eq: '=',
  ne: '≠',
  lt: '<',
  le: '≤',
  gt: '>',
  ge: '≥',
  contains: 'contains',
  starts_with: 'starts with',
  is_true: 'is true',
  is_false: 'is false',
  is_null: 'is empty',
  not_null: 'is not empty',
};

const numberOps: ConditionOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'is_null', 'not_null'];
const textOps: ConditionOp[] = [
  'eq',
  'ne',
  'contains',
  'starts_with',
  'lt',
  'gt',
  'is_null',
  'not_null',
];
const boolOps: ConditionOp[] = ['is_true', 'is_false', 'is_null', 'not_null'];

/**
 * The operators that make sense for a column type, the first being the default.
 *
 * @example
 * opsFor('float'); // ['eq', 'ne', 'lt', …]
 */
export function opsFor(type: LogicalType): readonly ConditionOp[] {
  if (type === 'bool') return boolOps;
  if (type === 'string' || type === 'category') return textOps;
  return numberOps;
}

/** Whether the operator reads the value box. */
export function takesValue(op: ConditionOp): boolean {
  return !['is_true', 'is_false', 'is_null', 'not_null'].includes(op);
}

export class ConditionError extends Error {
  override readonly name = 'ConditionError';
  constructor(
    readonly conditionId: string,
    message: string,
  ) {
    super(message);
  }
}

function valueFor(condition: Condition, type: LogicalType): number | string {
  const text = condition.value.trim();
  if (type === 'int' || type === 'float') {
    const number = Number(text);
    if (text === '' || !Number.isFinite(number)) {
      throw new ConditionError(
        condition.id,
        `“${condition.value}” is not a number (${condition.column}).`,
      );
    }
    return number;
  }
  if (type === 'date') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
      throw new ConditionError(
        condition.id,
        `“${condition.value}” is not a date like 2024-05-31 (${condition.column}).`,
      );
    }
    return text;
  }
  if (type === 'datetime') {
    if (Number.isNaN(Date.parse(text))) {
      throw new ConditionError(
        condition.id,
        `“${condition.value}” is not a date and time like 2024-05-31T12:00:00Z (${condition.column}).`,
      );
    }
    return text;
  }
  return condition.value;
}

function predicateOf(condition: Condition, type: LogicalType): Predicate {
  const { column, op } = condition;
  switch (op) {
    case 'is_true':
      return { op: 'eq', column, value: true };
    case 'is_false':
      return { op: 'eq', column, value: false };
    case 'is_null':
    case 'not_null':
      return { op, column };
    case 'contains':
    case 'starts_with':
      return { op, column, value: condition.value };
    default:
      return { op, column, value: valueFor(condition, type) };
  }
}

/**
 * The engine predicate for the conditions, or undefined when there are none. Throws a
 * `ConditionError` naming the first condition whose value does not fit its column.
 *
 * @example
 * toPredicate([{ id: 'a', column: 'dose', op: 'gt', value: '5' }], 'and', columns);
 * // { op: 'gt', column: 'dose', value: 5 }
 */
export function toPredicate(
  conditions: readonly Condition[],
  combinator: Combinator,
  columns: readonly ColumnSchema[],
): Predicate | undefined {
  const predicates = conditions.map((condition) => {
    const column = columns.find((candidate) => candidate.name === condition.column);
    if (!column)
      throw new ConditionError(condition.id, `There is no column “${condition.column}”.`);
    return predicateOf(condition, column.type);
  });
  if (predicates.length === 0) return undefined;
  if (predicates.length === 1) return predicates[0];
  return { op: combinator, predicates };
}
