/** Hostile values against the plain-data inspection that runs before every schema. */
import { describe, expect, it } from 'vitest';
import { inspectPlainData } from './plain-data.ts';

const limits = { maxBytes: 1024, maxDepth: 8 };

describe('inspectPlainData', () => {
  it('accepts plain data and counts buffers apart', () => {
    const verdict = inspectPlainData(
      { kind: 'call', id: 1, params: { list: [1, 'a', null, true], ipc: new ArrayBuffer(4096) } },
      limits,
    );
    expect(verdict).toMatchObject({ ok: true, bufferBytes: 4096 });
  });

  it('accepts objects without a prototype', () => {
    expect(inspectPlainData(Object.assign(Object.create(null), { a: 1 }), limits).ok).toBe(true);
  });

  it.each([
    ['__proto__', JSON.parse('{"a":{"__proto__":{"x":1}}}')],
    ['constructor', { a: [{ constructor: { prototype: {} } }] }],
    ['prototype', { prototype: 1 }],
  ])('refuses the key %s at any depth', (key, value) => {
    expect(inspectPlainData(value, limits)).toEqual({
      ok: false,
      problem: 'not_plain',
      detail: `the key "${key}" is not allowed`,
    });
  });

  it.each([
    ['a class instance', new (class Point {})()],
    ['a Map', new Map()],
    ['a Date', new Date()],
    ['a typed array', new Uint8Array(2)],
    ['a function', () => 1],
    ['a symbol', Symbol('x')],
    ['a bigint', 1n],
    ['a symbol key', { [Symbol('x')]: 1 }],
    ['an accessor', Object.defineProperty({}, 'a', { get: () => 1, enumerable: true })],
    ['an array with a named key', Object.assign([1], { extra: 2 })],
    ['an array with a foreign prototype', Object.setPrototypeOf([1], { length: 1 })],
    [
      'a cycle',
      (() => {
        const a: Record<string, unknown> = {};
        a.self = a;
        return a;
      })(),
    ],
  ])('refuses %s', (_label, value) => {
    expect(inspectPlainData({ value }, limits)).toMatchObject({ ok: false, problem: 'not_plain' });
  });

  it('refuses nesting past the depth limit without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inspectPlainData(deep, limits)).toMatchObject({ ok: false, problem: 'not_plain' });
  });

  it('refuses a value over the byte estimate, long strings and many keys alike', () => {
    expect(inspectPlainData('x'.repeat(600), limits)).toMatchObject({ problem: 'too_large' });
    const wide = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    expect(inspectPlainData(wide, limits)).toMatchObject({ problem: 'too_large' });
  });
});
