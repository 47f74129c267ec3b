/**
 * The first look at anything a plugin sends, before any schema sees it: the value must be plain
 * data (primitives, arrays, objects whose prototype is `Object.prototype` or null, and
 * ArrayBuffers), must not carry a key that names a prototype slot (`__proto__`, `constructor`,
 * `prototype`) anywhere, and must stay under the size and depth limits. A schema library is then
 * given only data it cannot be tricked by, and nothing of a plugin's value can later reach a
 * property write that walks a prototype chain.
 */

/** Keys that could reach a prototype if a value were ever merged into a host object. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface PlainDataLimits {
  /** The structured-clone estimate of everything but ArrayBuffers, in bytes. */
  readonly maxBytes: number;
  /** Nesting of arrays and objects. */
  readonly maxDepth: number;
}

/** What was found: the estimate, the buffers' total, or why the value is refused. */
export type PlainDataVerdict =
  | { readonly ok: true; readonly bytes: number; readonly bufferBytes: number }
  | { readonly ok: false; readonly problem: 'too_large' | 'not_plain'; readonly detail: string };

function isPlainPrototype(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Walks a received value and says whether it is plain data within the limits. Strings count two
 * bytes a character (UTF-16, as structured clone may keep them), numbers eight, keys like strings.
 *
 * @example
 * inspectPlainData(JSON.parse('{"__proto__":{}}'), { maxBytes: 1024, maxDepth: 8 });
 * // { ok: false, problem: 'not_plain', detail: 'the key "__proto__" is not allowed' }
 */
export function inspectPlainData(value: unknown, limits: PlainDataLimits): PlainDataVerdict {
  let bytes = 0;
  let bufferBytes = 0;
  const seen = new Set<object>();
  // An explicit stack: a deep value must not overflow the host's own call stack.
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const next = stack.pop() as { value: unknown; depth: number };
    const current = next.value;
    if (current === null || current === undefined || typeof current === 'boolean') {
      bytes += 1;
    } else if (typeof current === 'number') {
      bytes += 8;
    } else if (typeof current === 'string') {
      bytes += 8 + current.length * 2;
    } else if (typeof current === 'object') {
      if (seen.has(current)) {
        return { ok: false, problem: 'not_plain', detail: 'a value refers to itself' };
      }
      seen.add(current);
      if (current instanceof ArrayBuffer) {
        bufferBytes += current.byteLength;
        bytes += 8;
        continue;
      }
      if (next.depth >= limits.maxDepth) {
        return { ok: false, problem: 'not_plain', detail: `nested deeper than ${limits.maxDepth}` };
      }
      if (Array.isArray(current)) {
        if (Object.getPrototypeOf(current) !== Array.prototype) {
          return { ok: false, problem: 'not_plain', detail: 'an array with a foreign prototype' };
        }
        const items = current as unknown[];
        // Structured clone keeps an array's named properties too; a plugin could hide keys there.
        if (Reflect.ownKeys(items).length !== items.length + 1) {
          return { ok: false, problem: 'not_plain', detail: 'an array with named properties' };
        }
        bytes += 8;
        for (let index = 0; index < items.length; index++) {
          stack.push({ value: items[index], depth: next.depth + 1 });
        }
      } else if (isPlainPrototype(current)) {
        bytes += 8;
        for (const key of Reflect.ownKeys(current)) {
          if (typeof key === 'symbol') {
            return { ok: false, problem: 'not_plain', detail: 'a symbol key is not allowed' };
          }
          if (FORBIDDEN_KEYS.has(key)) {
            return { ok: false, problem: 'not_plain', detail: `the key "${key}" is not allowed` };
          }
          const descriptor = Object.getOwnPropertyDescriptor(current, key);
          if (!descriptor || !('value' in descriptor)) {
            return { ok: false, problem: 'not_plain', detail: `the key "${key}" is an accessor` };
          }
          bytes += 8 + key.length * 2;
          stack.push({ value: descriptor.value, depth: next.depth + 1 });
        }
      } else {
        const kind = Object.prototype.toString.call(current).slice(8, -1);
        return { ok: false, problem: 'not_plain', detail: `a ${kind} is not plain data` };
      }
    } else {
      return { ok: false, problem: 'not_plain', detail: `a ${typeof current} is not plain data` };
    }
    if (bytes > limits.maxBytes) {
      return {
        ok: false,
        problem: 'too_large',
        detail: `the message is over ${limits.maxBytes} bytes (ArrayBuffers aside)`,
      };
    }
  }
  return { ok: true, bytes, bufferBytes };
}
