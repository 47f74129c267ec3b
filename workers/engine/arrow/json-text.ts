/**
 * JSON text for values the model has no column type for (lists, structs, maps, unions, nested
 * objects of JSON lines and Parquet): they are kept, readable, as strings rather than dropped.
 * Handles what `JSON.stringify` does not: BigInt (as a number when exact, else as a string of
 * digits), typed arrays and binary (as arrays / hex), Arrow vectors and rows (through their
 * `toJSON`), and dates (as ISO text).
 */

const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * The bytes as lowercase hexadecimal, two digits a byte.
 *
 * @example
 * hexOf(new Uint8Array([1, 171])); // '01ab'
 */
export function hexOf(bytes: Uint8Array): string {
  let text = '';
  for (let k = 0; k < bytes.length; k++) text += hexDigits[bytes[k]!]!;
  return text;
}

function plain(value: unknown, depth: number): unknown {
  if (depth > 64) return null;
  switch (typeof value) {
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return null;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return hexOf(value);
  if (ArrayBuffer.isView(value)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (item) =>
      plain(item, depth + 1),
    );
  }
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') {
    const json = withJson.toJSON();
    if (json !== value) return plain(json, depth + 1);
  }
  if (value instanceof Map) {
    return Object.fromEntries(
      [...value].map(([key, item]) => [String(key), plain(item, depth + 1)]),
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = plain(item, depth + 1);
  return out;
}

/**
 * A value as JSON text.
 *
 * @example
 * toJsonText({ dose: 5n, tags: ['a'] }); // '{"dose":5,"tags":["a"]}'
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(plain(value, 0)) ?? 'null';
}
