import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  isPlainObject,
  parseHandshake,
  parseHostMessage,
  parseToWorkerMessage,
  parseWorkerMessage,
} from './message-guards.ts';
import type { MethodName } from '../src/protocol.ts';

const port = {};
const handshake = {
  type: 'enclave:handshake',
  version: 1,
  instanceId: 'abc_DEF-123',
  pluginId: 'enclave.chart',
  permissions: ['data:read', 'ui:panel'],
};

/** A value with an own `__proto__` key, as structured clone delivers `JSON.parse` output. */
function withOwnKey<T extends object>(base: T, key: string, value: unknown): T {
  return Object.assign(JSON.parse(`{"${key}": ${JSON.stringify(value)}}`), base);
}

function call(method: string, params: unknown, id = 7) {
  return { kind: 'call', id, method, params };
}

function refusal(data: unknown) {
  const parsed = parseWorkerMessage(data);
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(data).slice(0, 200)}`);
  return parsed;
}

describe('isPlainObject', () => {
  it('accepts object literals and null-prototype objects only', () => {
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Map())).toBe(false);
    expect(isPlainObject(new (class Point {})())).toBe(false);
    expect(isPlainObject({ [Symbol('s')]: 1 })).toBe(false);
    expect(isPlainObject(Object.defineProperty({}, 'x', { get: () => 1, enumerable: true }))).toBe(
      false,
    );
  });
});

describe('parseHandshake', () => {
  it('accepts the exact handshake with exactly one port', () => {
    expect(parseHandshake(handshake, [port])).toEqual(handshake);
  });

  it.each([
    ['no port', handshake, []],
    ['two ports', handshake, [port, port]],
    ['another type', { ...handshake, type: 'enclave:hello' }, [port]],
    ['another version', { ...handshake, version: 2 }, [port]],
    ['the version as text', { ...handshake, version: '1' }, [port]],
    ['an extra field', { ...handshake, extra: true }, [port]],
    ['an unknown permission', { ...handshake, permissions: ['net:fetch'] }, [port]],
    ['a missing field', { ...handshake, pluginId: undefined }, [port]],
    ['a huge plugin id', { ...handshake, pluginId: 'x'.repeat(10_000) }, [port]],
    ['an own __proto__ key', withOwnKey(handshake, '__proto__', { admin: true }), [port]],
    ['an own constructor key', withOwnKey(handshake, 'constructor', 1), [port]],
    ['a string', 'enclave:handshake', [port]],
    ['null', null, [port]],
  ])('refuses %s', (_name, data, ports) => {
    expect(parseHandshake(data, ports)).toBeNull();
  });
});

describe('parseWorkerMessage', () => {
  const validCalls: [MethodName, unknown][] = [
    ['session.info', {}],
    ['data.read', { columns: ['a', 'b'], offset: 0, limit: 10 }],
    ['data.read', { columns: ['a'], offset: undefined }],
    ['data.write', { mode: 'columns', ipc: new ArrayBuffer(8) }],
    ['data.write', { mode: 'table', ipc: new ArrayBuffer(8), name: 'results' }],
    ['selection.get', {}],
    ['selection.subscribe', {}],
    ['ui.setTitle', { title: 'Chart' }],
    ['ui.setHeight', { height: 400 }],
    ['ui.render', { view: { type: 'text', text: 'hello' } }],
    ['ui.svg', { markup: '<svg></svg>' }],
    ['ui.canvas', { id: 'plot', width: 300, height: 200 }],
    ['storage.get', { key: 'k' }],
    ['storage.set', { key: 'k', value: null }],
    ['storage.set', { key: 'k', value: 'v' }],
  ];

  it.each(validCalls)('accepts a valid %s call', (method, params) => {
    const parsed = parseWorkerMessage(call(method, params));
    expect(parsed.ok).toBe(true);
  });

  it('rebuilds the message, keeping ArrayBuffers as they are (so they can be transferred)', () => {
    const ipc = new ArrayBuffer(16);
    const data = call('data.write', { mode: 'columns', ipc });
    const parsed = parseWorkerMessage(data);
    expect(parsed.ok && parsed.message).not.toBe(data);
    expect(parsed.ok && parsed.message.kind === 'call' && parsed.message.params).toEqual({
      mode: 'columns',
      ipc,
    });
    expect(
      parsed.ok && parsed.message.kind === 'call' && 'ipc' in parsed.message.params
        ? parsed.message.params.ipc
        : null,
    ).toBe(ipc);
  });

  it('accepts a pong', () => {
    expect(parseWorkerMessage({ kind: 'pong', seq: 3 })).toEqual({
      ok: true,
      message: { kind: 'pong', seq: 3 },
    });
  });

  it('refuses methods outside the allow-list, keeping the id to answer', () => {
    for (const method of ['__proto__', 'constructor', 'toString', 'data.delete', 'ui.eval', '']) {
      expect(refusal(call(method, {}, 9))).toMatchObject({
        id: 9,
        error: { code: 'unknown_method' },
      });
    }
    expect(refusal({ kind: 'call', id: 9 })).toMatchObject({ error: { code: 'unknown_method' } });
  });

  it('refuses unknown kinds and non-objects', () => {
    for (const data of [
      null,
      42,
      'call',
      [],
      { kind: 'result', id: 1, result: {} },
      { kind: 'ready' },
    ]) {
      expect(refusal(data).error.code).toBe('invalid_params');
    }
  });

  it('refuses __proto__, constructor and prototype keys at any depth', () => {
    const hostile = [
      withOwnKey(call('session.info', {}), '__proto__', { polluted: true }),
      call('session.info', withOwnKey({}, '__proto__', { polluted: true })),
      call('storage.set', withOwnKey({ key: 'k', value: 'v' }, 'constructor', { prototype: {} })),
      call('ui.render', { view: withOwnKey({ type: 'text', text: 'x' }, 'prototype', 1) }),
      call('ui.render', {
        view: {
          type: 'stack',
          children: [
            {
              type: 'select',
              id: 's',
              label: 'l',
              options: [withOwnKey({ value: 'a', label: 'b' }, '__proto__', 1)],
            },
          ],
        },
      }),
    ];
    for (const data of hostile) {
      const parsed = refusal(data);
      expect(parsed.error.code).toBe('invalid_params');
      expect(parsed.error.message).toMatch(/"(__proto__|constructor|prototype)" is not allowed/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses class instances, accessors, proxies and symbol keys', () => {
    class Params {
      key = 'k';
    }
    const throwing = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const hostile = [
      call('storage.get', new Params()),
      call('storage.get', Object.defineProperty({}, 'key', { get: () => 'k', enumerable: true })),
      call('storage.get', throwing),
      call('storage.get', { key: 'k', [Symbol('x')]: 1 }),
      call('data.read', { columns: new Set(['a']) }),
    ];
    for (const data of hostile) expect(refusal(data).error.code).toBe('invalid_params');
  });

  it('refuses wrong value kinds, unknown and missing fields', () => {
    const hostile = [
      call('session.info', { extra: 1 }),
      call('session.info', null),
      call('data.read', { columns: 'a' }),
      call('data.read', { columns: [1] }),
      call('data.read', { columns: ['a'], offset: -1 }),
      call('data.read', { columns: ['a'], limit: 0 }),
      call('data.read', { columns: ['a'], offset: 1.5 }),
      call('data.read', { columns: ['a'], offset: Number.NaN }),
      call('data.write', { mode: 'columns', ipc: new Uint8Array(8) }),
      call('data.write', { mode: 'columns', ipc: new SharedArrayBuffer(8) }),
      call('data.write', { mode: 'replace', ipc: new ArrayBuffer(8) }),
      call('ui.setHeight', { height: 79 }),
      call('ui.setHeight', { height: 2001 }),
      call('ui.setHeight', { height: '400' }),
      call('ui.canvas', { id: 'c', width: 0, height: 10 }),
      call('ui.canvas', { id: 'c', width: 10_000, height: 10 }),
      call('storage.set', { key: 'k' }),
      call('storage.set', { key: 'k', value: 1 }),
      call('ui.render', { view: { type: 'script', src: 'x' } }),
      call('ui.render', { view: { type: 'text', text: 'x', html: '<b>x</b>' } }),
      call('ui.render', {
        view: { type: 'table', columns: ['a'], rows: [[Number.POSITIVE_INFINITY]] },
      }),
      call('ui.render', { view: { type: 'table', columns: ['a'], rows: [[{}]] } }),
      call('ui.render', { view: { type: 'stack', children: [{ type: 'button', id: 'b' }] } }),
    ];
    for (const data of hostile)
      expect(refusal(data)).toMatchObject({ id: 7, error: { code: 'invalid_params' } });
  });

  it.each([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '7', null])('refuses the call id %s', (id) => {
    expect(refusal({ kind: 'call', id, method: 'session.info', params: {} }).error.code).toBe(
      'invalid_params',
    );
  });

  it('refuses sparse arrays and arrays with extra keys', () => {
    const sparse: string[] = [];
    sparse[2] = 'c';
    const extra = Object.assign(['a'], { admin: true });
    expect(refusal(call('data.read', { columns: sparse })).error.code).toBe('invalid_params');
    expect(refusal(call('data.read', { columns: extra })).error.code).toBe('invalid_params');
  });

  it('refuses oversized strings, arrays and messages as too_large', () => {
    const hostile = [
      call('ui.setTitle', { title: 'x'.repeat(LIMITS.title + 1) }),
      call('storage.set', { key: 'k', value: 'x'.repeat(LIMITS.storageValue + 1) }),
      call('storage.get', { key: 'k'.repeat(LIMITS.storageKey + 1) }),
      call('ui.svg', { markup: 'x'.repeat(LIMITS.markup + 1) }),
      call('data.read', { columns: Array.from({ length: LIMITS.columns + 1 }, (_, i) => `c${i}`) }),
      // Many strings each within their limit, over the message's budget in all.
      call('ui.render', {
        view: {
          type: 'stack',
          children: Array.from({ length: 20 }, () => ({ type: 'text', text: 'x'.repeat(90_000) })),
        },
      }),
      call('ui.render', {
        view: {
          type: 'table',
          columns: ['a'],
          rows: Array.from({ length: 400 }, () => Array.from({ length: 300 }, () => 1)),
        },
      }),
    ];
    for (const data of hostile)
      expect(refusal(data)).toMatchObject({ id: 7, error: { code: 'too_large' } });
  });

  it('bounds the view tree in depth and in nodes', () => {
    let deep: unknown = { type: 'text', text: 'leaf' };
    for (let level = 0; level < LIMITS.viewDepth; level++)
      deep = { type: 'stack', children: [deep] };
    expect(refusal(call('ui.render', { view: deep })).error.message).toMatch(/deeper than/);

    const wide = {
      type: 'stack',
      children: Array.from({ length: LIMITS.viewNodes }, () => ({ type: 'canvas', id: 'c' })),
    };
    expect(refusal(call('ui.render', { view: wide })).error.code).toBe('too_large');
  });

  it('accepts every view node type', () => {
    const view = {
      type: 'stack',
      direction: 'row',
      gap: 8,
      children: [
        { type: 'text', text: 'Title', style: 'heading' },
        { type: 'button', id: 'go', label: 'Go', disabled: false },
        {
          type: 'select',
          id: 's',
          label: 'Column',
          value: 'a',
          options: [{ value: 'a', label: 'A' }],
        },
        { type: 'checkbox', id: 'c', label: 'Log scale', checked: true },
        { type: 'input', id: 'i', label: 'Bins', inputType: 'number', value: '10' },
        {
          type: 'table',
          columns: ['a', 'b'],
          rows: [
            [1, 'x'],
            [null, true],
          ],
        },
        { type: 'progress', value: 3, max: 10 },
        { type: 'svg', markup: '<svg></svg>' },
        { type: 'canvas', id: 'plot' },
      ],
    };
    expect(parseWorkerMessage(call('ui.render', { view })).ok).toBe(true);
  });
});

describe('parseHostMessage and parseToWorkerMessage', () => {
  const open = new Map<number, MethodName>([
    [1, 'session.info'],
    [2, 'data.read'],
    [3, 'storage.get'],
  ]);
  const methodOf = (id: number) => open.get(id);
  const session = {
    pluginId: 'enclave.chart',
    instanceId: 'i1',
    permissions: ['data:read'],
    table: { name: 't', rowCount: 3, columns: [{ name: 'a', type: 'float' }] },
  };

  it('accepts results checked against the method of the open call', () => {
    expect(parseHostMessage({ kind: 'result', id: 1, result: session }, methodOf)).toEqual({
      kind: 'result',
      id: 1,
      result: session,
    });
    const ipc = new ArrayBuffer(4);
    const read = parseHostMessage({ kind: 'result', id: 2, result: { ipc, rows: 3 } }, methodOf);
    expect(read?.kind === 'result' && 'ipc' in read.result && read.result.ipc).toBe(ipc);
    expect(
      parseHostMessage({ kind: 'result', id: 3, result: { value: null } }, methodOf),
    ).not.toBeNull();
  });

  it('drops results for calls that are not open, or of the wrong shape', () => {
    expect(
      parseHostMessage({ kind: 'result', id: 99, result: { value: null } }, methodOf),
    ).toBeNull();
    expect(parseHostMessage({ kind: 'result', id: 3, result: session }, methodOf)).toBeNull();
    expect(
      parseHostMessage({ kind: 'result', id: 2, result: { ipc: 'bytes', rows: 3 } }, methodOf),
    ).toBeNull();
    expect(
      parseHostMessage(
        { kind: 'result', id: 1, result: withOwnKey(session, '__proto__', {}) },
        methodOf,
      ),
    ).toBeNull();
  });

  it('accepts errors with a known code, for an open call or with a null id', () => {
    const error = { code: 'column_not_granted', message: 'no', cause: 'column "x"' };
    expect(parseHostMessage({ kind: 'error', id: 2, error }, methodOf)).toEqual({
      kind: 'error',
      id: 2,
      error,
    });
    expect(parseHostMessage({ kind: 'error', id: null, error }, methodOf)).not.toBeNull();
    expect(parseHostMessage({ kind: 'error', id: 99, error }, methodOf)).toBeNull();
    expect(
      parseHostMessage(
        { kind: 'error', id: 2, error: { code: 'teapot', message: 'no' } },
        methodOf,
      ),
    ).toBeNull();
  });

  it('accepts pings and host events, and bounds them', () => {
    expect(parseHostMessage({ kind: 'ping', seq: 0 }, methodOf)).not.toBeNull();
    expect(parseHostMessage({ kind: 'ping', seq: -1 }, methodOf)).toBeNull();
    expect(
      parseHostMessage({ kind: 'event', event: 'selection', rows: [0, 5] }, methodOf),
    ).not.toBeNull();
    expect(
      parseHostMessage(
        { kind: 'event', event: 'selection', rows: new Array(LIMITS.selectionRows + 1).fill(0) },
        methodOf,
      ),
    ).toBeNull();
    expect(
      parseHostMessage({ kind: 'event', event: 'shutdown', reason: 'blocked' }, methodOf),
    ).not.toBeNull();
    expect(parseHostMessage({ kind: 'event', event: 'navigate', url: 'x' }, methodOf)).toBeNull();
    expect(
      parseHostMessage({ kind: 'call', id: 1, method: 'session.info', params: {} }, methodOf),
    ).toBeNull();
  });

  it('lets UI events reach the worker but never come from the host', () => {
    const click = { kind: 'event', event: 'ui.click', id: 'go' };
    const pointer = { kind: 'event', event: 'ui.pointer', id: 'c', type: 'move', x: 1.5, y: 2 };
    const change = { kind: 'event', event: 'ui.change', id: 'c', value: true };
    for (const event of [click, pointer, change]) {
      expect(parseHostMessage(event, methodOf)).toBeNull();
      expect(parseToWorkerMessage(event, methodOf)).toEqual(event);
    }
    expect(parseToWorkerMessage({ ...pointer, type: 'click' }, methodOf)).toBeNull();
    expect(parseToWorkerMessage({ ...change, value: 3 }, methodOf)).toBeNull();
  });
});
