/**
 * The difference between the two states an audit event recorded, field by field, for the detail
 * view: which fields were added, removed or changed and which stayed. Nested objects are walked
 * (`settings.colour`); arrays and other values are compared whole, by their JSON with keys in a
 * fixed order, so a reordered object is not a change.
 */

export type FieldChange = 'added' | 'removed' | 'changed' | 'unchanged';

/** One field of the states; `before`/`after` are absent when the field is absent there. */
export interface FieldDiff {
  /** Dotted path of the field, `''` when a state is not an object at all. */
  path: string;
  change: FieldChange;
  before?: unknown;
  after?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON with object keys sorted, so that equal values give equal text.
 *
 * @example
 * canonicalJson({ b: 1, a: [2] }); // '{"a":[2],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isRecord(inner)
      ? Object.fromEntries(
          Object.keys(inner)
            .sort()
            .map((key) => [key, inner[key]]),
        )
      : inner,
  );
}

function walk(path: string, before: unknown, after: unknown, out: FieldDiff[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const inner = path ? `${path}.${key}` : key;
      const inBefore = Object.hasOwn(before, key);
      const inAfter = Object.hasOwn(after, key);
      if (inBefore && inAfter) walk(inner, before[key], after[key], out);
      else if (inAfter) out.push({ path: inner, change: 'added', after: after[key] });
      else out.push({ path: inner, change: 'removed', before: before[key] });
    }
    return;
  }
  out.push({
    path,
    change: canonicalJson(before) === canonicalJson(after) ? 'unchanged' : 'changed',
    before,
    after,
  });
}

/**
 * Field-by-field difference of two recorded states; `null` stands for "did not exist", so a
 * creation lists every field as added and a deletion every field as removed.
 *
 * @example
 * diffStates({ name: 'A', description: 'x' }, { name: 'B', description: 'x' });
 * // [{ path: 'description', change: 'unchanged', … }, { path: 'name', change: 'changed',
 * //    before: 'A', after: 'B' }]
 */
export function diffStates(before: unknown, after: unknown): FieldDiff[] {
  const out: FieldDiff[] = [];
  if (before === null && after === null) return out;
  if (before === null) {
    if (isRecord(after)) walk('', {}, after, out);
    else out.push({ path: '', change: 'added', after });
    return out;
  }
  if (after === null) {
    if (isRecord(before)) walk('', before, {}, out);
    else out.push({ path: '', change: 'removed', before });
    return out;
  }
  walk('', before, after, out);
  return out;
}

/**
 * A recorded value as a short line of text: strings as they are (an empty one said so),
 * everything else as JSON.
 *
 * @example
 * formatStateValue('Kinase'); // 'Kinase'
 * formatStateValue(''); // '(empty)'
 * formatStateValue(['a', 1]); // '["a",1]'
 */
export function formatStateValue(value: unknown): string {
  if (value === undefined) return '';
  if (value === '') return '(empty)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
