/**
 * The broker over a real MessageChannel with a fake plugin on the other port: every method, every
 * refusal, and the watchdogs. After each refusal the host still answers a valid call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ErrorMessage,
  HostToPluginMessage,
  PluginPermission,
  SessionInfo,
} from '../../../sdk/src/protocol.ts';
import {
  createPluginBroker,
  type BrokerLimits,
  type PluginBrokerHandlers,
  type PluginEvent,
  type PluginInstanceState,
  type PluginTermination,
} from './plugin-broker.ts';
import { PluginCallError } from './plugin-call-error.ts';

const ALL: PluginPermission[] = [
  'data:read',
  'data:write',
  'selection:read',
  'ui:panel',
  'storage:own',
];

function sessionWith(permissions: PluginPermission[]): SessionInfo {
  return {
    pluginId: 'enclave.test',
    instanceId: 'instance-1',
    permissions,
    table: {
      name: 'assay',
      rowCount: 10,
      columns: [
        { name: 'dose', type: 'float' },
        { name: 'label', type: 'string' },
      ],
    },
  };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface HarnessOptions {
  permissions?: PluginPermission[];
  handlers?: Partial<PluginBrokerHandlers>;
  limits?: Partial<BrokerLimits>;
  report?: (event: PluginEvent) => Promise<PluginInstanceState>;
}

function harness(options: HarnessOptions = {}) {
  const { port1, port2 } = new MessageChannel();
  const received: HostToPluginMessage[] = [];
  const waiters: {
    match: (message: HostToPluginMessage) => boolean;
    resolve: (m: HostToPluginMessage) => void;
  }[] = [];
  port2.onmessage = (event: MessageEvent) => {
    const message = event.data as HostToPluginMessage;
    received.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  };
  const reports: PluginEvent[] = [];
  let policy: PluginInstanceState = { state: 'active', reason: null };
  const terminations: PluginTermination[] = [];
  const writes: unknown[] = [];
  const discarded: unknown[] = [];
  const stored = new Map<string, string>();
  const titles: string[] = [];
  const heights: number[] = [];
  const handlers: PluginBrokerHandlers = {
    readColumns: async (columns, window) => ({
      ipc: new TextEncoder().encode(JSON.stringify({ columns, window })).buffer as ArrayBuffer,
      rows: window.limit,
    }),
    prepareWrite: async (params) => ({
      columns: ['mean'],
      rows: 10,
      commit: async () => {
        writes.push(params);
        return { columns: ['enclave.test: mean'], rows: 10 };
      },
      discard: () => discarded.push(params),
    }),
    storageGet: async (key) => stored.get(key) ?? null,
    storageSet: async (key, value) => {
      if (value === null) stored.delete(key);
      else stored.set(key, value);
    },
    selection: () => [1, 3],
    setTitle: (title) => titles.push(title),
    setHeight: (height) => heights.push(height),
    ...options.handlers,
  };
  const broker = createPluginBroker({
    port: port1,
    session: sessionWith(options.permissions ?? ALL),
    handlers,
    report:
      options.report ??
      (async (event) => {
        reports.push(event);
        return policy;
      }),
    onTerminate: (termination) => terminations.push(termination),
    limits: options.limits,
  });
  cleanups.push(() => {
    broker.close('test over');
    port2.close();
  });

  let nextId = 1;
  function waitFor(match: (message: HostToPluginMessage) => boolean, timeoutMs = 2000) {
    const already = received.find(match);
    if (already) return Promise.resolve(already);
    return new Promise<HostToPluginMessage>((resolve, reject) => {
      waiters.push({ match, resolve });
      setTimeout(() => reject(new Error('no such message arrived')), timeoutMs);
    });
  }
  function answerTo(id: number | null) {
    return waitFor(
      (message) => (message.kind === 'result' || message.kind === 'error') && message.id === id,
    );
  }
  async function call(method: string, params: unknown, transfer: Transferable[] = []) {
    const id = nextId++;
    port2.postMessage({ kind: 'call', id, method, params }, transfer);
    return answerTo(id);
  }
  async function expectError(method: string, params: unknown, code: string) {
    const answer = await call(method, params);
    expect(answer.kind).toBe('error');
    expect((answer as ErrorMessage).error.code).toBe(code);
    return answer as ErrorMessage;
  }
  /** The host still answers a valid call. */
  async function expectHealthy() {
    const answer = await call('session.info', {});
    expect(answer).toMatchObject({ kind: 'result', result: { pluginId: 'enclave.test' } });
  }
  async function terminated() {
    for (let i = 0; i < 200 && terminations.length === 0; i++) await sleep(10);
    return terminations[0];
  }
  return {
    broker,
    port: port2,
    received,
    reports,
    terminations,
    writes,
    discarded,
    stored,
    titles,
    heights,
    setPolicy: (next: PluginInstanceState) => (policy = next),
    call,
    answerTo,
    waitFor,
    expectError,
    expectHealthy,
    terminated,
  };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('the methods', () => {
  it('answers session.info with the granted permissions and columns only', async () => {
    const host = harness({ permissions: ['data:read'] });
    const answer = await host.call('session.info', {});
    expect(answer).toEqual({ kind: 'result', id: 1, result: sessionWith(['data:read']) });
  });

  it('reads granted columns as a transferred buffer, after asking the server', async () => {
    const host = harness();
    const answer = await host.call('data.read', { columns: ['dose'], offset: 2, limit: 100 });
    expect(answer.kind).toBe('result');
    const result = (answer as { result: { ipc: ArrayBuffer; rows: number } }).result;
    expect(result.ipc).toBeInstanceOf(ArrayBuffer);
    expect(JSON.parse(new TextDecoder().decode(result.ipc))).toEqual({
      columns: ['dose'],
      window: { offset: 2, limit: 8 },
    });
    expect(host.reports).toEqual([{ action: 'plugin.data_read', columns: ['dose'], rows: 8 }]);
  });

  it('takes optional parameters sent as undefined, as the SDK sends them', async () => {
    const host = harness();
    const read = await host.call('data.read', {
      columns: ['dose'],
      offset: undefined,
      limit: undefined,
    });
    expect(read).toMatchObject({ kind: 'result', result: { rows: 10 } });
    const ipc = new ArrayBuffer(4);
    const write = await host.call('data.write', { mode: 'columns', ipc, name: undefined }, [ipc]);
    expect(write.kind).toBe('result');
  });

  it('writes a result after checking it and asking the server, with its columns and rows', async () => {
    const host = harness();
    const ipc = new Uint8Array([1, 2, 3]).buffer;
    const answer = await host.call('data.write', { mode: 'columns', ipc }, [ipc]);
    expect(answer).toMatchObject({
      kind: 'result',
      result: { columns: ['enclave.test: mean'], rows: 10 },
    });
    expect(host.writes).toHaveLength(1);
    expect(host.reports).toEqual([
      { action: 'plugin.data_write', columns: ['mean'], rows: 10, detail: 'columns' },
    ]);
  });

  it('passes on why a result is refused', async () => {
    const host = harness({
      handlers: {
        prepareWrite: async () => {
          throw new PluginCallError('invalid_result', 'The result has 9 rows; the table has 10.');
        },
      },
    });
    const answer = await host.expectError(
      'data.write',
      { mode: 'columns', ipc: new ArrayBuffer(4) },
      'invalid_result',
    );
    expect(answer.error.message).toContain('9 rows');
    expect(host.reports).toEqual([]);
    await host.expectHealthy();
  });

  it('hides the message of an unexpected host failure', async () => {
    const host = harness({
      handlers: {
        readColumns: async () => {
          throw new Error('secret internal path /home/me');
        },
      },
    });
    const answer = await host.expectError('data.read', { columns: ['dose'] }, 'failed');
    expect(answer.error.message).not.toContain('secret');
    await host.expectHealthy();
  });

  it('answers the selection and sends later selections only after subscribing', async () => {
    const host = harness();
    expect(await host.call('selection.get', {})).toMatchObject({ result: { rows: [1, 3] } });
    host.broker.notifySelection([5]);
    expect(await host.call('selection.subscribe', {})).toMatchObject({
      result: { subscribed: true },
    });
    host.broker.notifySelection([7, 8]);
    const event = await host.waitFor((message) => message.kind === 'event');
    expect(event).toEqual({ kind: 'event', event: 'selection', rows: [7, 8] });
    expect(host.received.filter((message) => message.kind === 'event')).toHaveLength(1);
    expect(host.reports.map((report) => report.action)).toEqual([
      'plugin.selection_read',
      'plugin.selection_read',
    ]);
  });

  it('sets the title and the height', async () => {
    const host = harness();
    expect(await host.call('ui.setTitle', { title: 'Dose chart' })).toMatchObject({
      result: { ok: true },
    });
    expect(await host.call('ui.setHeight', { height: 320.4 })).toMatchObject({
      result: { ok: true },
    });
    expect(host.titles).toEqual(['Dose chart']);
    expect(host.heights).toEqual([320]);
  });

  it('keeps and returns stored values, and deletes with null', async () => {
    const host = harness();
    expect(await host.call('storage.get', { key: 'k' })).toMatchObject({ result: { value: null } });
    await host.call('storage.set', { key: 'k', value: 'v' });
    expect(await host.call('storage.get', { key: 'k' })).toMatchObject({ result: { value: 'v' } });
    await host.call('storage.set', { key: 'k', value: null });
    expect(host.stored.size).toBe(0);
    expect(host.reports.map((report) => report.action)).toEqual([
      'plugin.storage_write',
      'plugin.storage_write',
    ]);
  });
});

describe('refusals', () => {
  const needs: [string, unknown, PluginPermission][] = [
    ['data.read', { columns: ['dose'] }, 'data:read'],
    ['data.write', { mode: 'table', ipc: new ArrayBuffer(1) }, 'data:write'],
    ['selection.get', {}, 'selection:read'],
    ['selection.subscribe', {}, 'selection:read'],
    ['ui.setTitle', { title: 'x' }, 'ui:panel'],
    ['ui.setHeight', { height: 100 }, 'ui:panel'],
    ['storage.get', { key: 'k' }, 'storage:own'],
    ['storage.set', { key: 'k', value: 'v' }, 'storage:own'],
  ];
  it.each(needs)(
    'refuses %s without %s, reports the denial and stays healthy',
    async (method, params, permission) => {
      const host = harness({ permissions: ALL.filter((granted) => granted !== permission) });
      const answer = await host.expectError(method, params, 'permission_denied');
      expect(answer.error.message).toContain(permission);
      await host.expectHealthy();
      expect(host.reports).toEqual([
        expect.objectContaining({
          action: 'plugin.denied',
          detail: expect.stringContaining(method),
        }),
      ]);
      expect(host.titles).toEqual([]);
      expect(host.stored.size).toBe(0);
      expect(host.writes).toEqual([]);
    },
  );

  it('refuses a column the user did not hand over, and one that does not exist', async () => {
    const host = harness();
    await host.expectError('data.read', { columns: ['dose', 'secret'] }, 'column_not_granted');
    await host.expectError('data.read', { columns: ['__proto__'] }, 'column_not_granted');
    expect(host.reports.filter((report) => report.action === 'plugin.data_read')).toEqual([]);
    await host.expectHealthy();
  });

  it.each([
    'ui.render',
    'ui.svg',
    'ui.canvas',
    'eval',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
  ])('refuses the method %s as unknown', async (method) => {
    const host = harness();
    await host.expectError(method, {}, 'unknown_method');
    await host.expectHealthy();
  });

  it.each([
    ['an unknown field', 'session.info', { extra: 1 }],
    ['a wrong type', 'data.read', { columns: 'dose' }],
    ['no columns', 'data.read', { columns: [] }],
    ['a negative offset', 'data.read', { columns: ['dose'], offset: -1 }],
    ['a zero limit', 'data.read', { columns: ['dose'], limit: 0 }],
    ['a fractional limit', 'data.read', { columns: ['dose'], limit: 1.5 }],
    ['an offset past the end', 'data.read', { columns: ['dose'], offset: 11 }],
    ['a column twice', 'data.read', { columns: ['dose', 'dose'] }],
    ['bytes that are no buffer', 'data.write', { mode: 'columns', ipc: [1, 2] }],
    ['an unknown mode', 'data.write', { mode: 'replace', ipc: new ArrayBuffer(1) }],
    ['a long title', 'ui.setTitle', { title: 'x'.repeat(81) }],
    ['a tiny height', 'ui.setHeight', { height: 10 }],
    ['a height that is no number', 'ui.setHeight', { height: Number.NaN }],
    ['no params', 'storage.get', undefined],
  ])('refuses %s with invalid_params', async (_label, method, params) => {
    const host = harness();
    await host.expectError(method, params, 'invalid_params');
    await host.expectHealthy();
  });

  it('refuses keys and values over the storage limits', async () => {
    const host = harness();
    await host.expectError('storage.set', { key: 'k'.repeat(201), value: 'v' }, 'too_large');
    await host.expectError('storage.get', { key: 'k'.repeat(201) }, 'too_large');
    await host.expectError(
      'storage.set',
      { key: 'k', value: 'v'.repeat(64 * 1024 + 1) },
      'too_large',
    );
    expect(host.stored.size).toBe(0);
    await host.expectHealthy();
  });

  it('refuses messages that are no protocol message, answering id null', async () => {
    const host = harness();
    for (const junk of [
      42,
      'call',
      null,
      [],
      { kind: 'call' },
      { kind: 'hello' },
      { kind: 'call', id: 0, method: 'session.info', params: {} },
    ]) {
      host.port.postMessage(junk);
    }
    await sleep(50);
    const errors = host.received.filter((message) => message.kind === 'error') as ErrorMessage[];
    expect(errors).toHaveLength(7);
    expect(
      errors.every((error) => error.id === null && error.error.code === 'invalid_params'),
    ).toBe(true);
    await host.expectHealthy();
  });

  it('names the call when a malformed call has a usable id', async () => {
    const host = harness();
    host.port.postMessage({ kind: 'call', id: 9, method: 5, params: {} });
    expect(await host.answerTo(9)).toMatchObject({ error: { code: 'invalid_params' } });
    await host.expectHealthy();
  });

  it('refuses __proto__, constructor and prototype keys anywhere in a message', async () => {
    const host = harness();
    const hostile = [
      JSON.parse(
        '{"kind":"call","id":1,"method":"storage.set","params":{"key":"k","value":"v","__proto__":{"polluted":true}}}',
      ),
      JSON.parse(
        '{"kind":"call","id":2,"method":"data.read","params":{"columns":["dose"],"constructor":{"prototype":{"polluted":true}}}}',
      ),
      JSON.parse('{"__proto__":{"kind":"call"},"id":3}'),
    ];
    for (const message of hostile) host.port.postMessage(message);
    await sleep(50);
    const errors = host.received.filter((message) => message.kind === 'error') as ErrorMessage[];
    expect(errors).toHaveLength(3);
    expect(errors.every((error) => error.error.code === 'invalid_params')).toBe(true);
    expect(errors.every((error) => error.error.message.includes('is not allowed'))).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(host.stored.size).toBe(0);
    expect(host.reports).toEqual([]);
    await host.expectHealthy();
  });

  it('refuses objects that are not plain data', async () => {
    const host = harness();
    host.port.postMessage({
      kind: 'call',
      id: 1,
      method: 'storage.get',
      params: new Map([['key', 'k']]),
    });
    host.port.postMessage({
      kind: 'call',
      id: 2,
      method: 'ui.setTitle',
      params: { title: new Date() },
    });
    await sleep(50);
    const errors = host.received.filter((message) => message.kind === 'error') as ErrorMessage[];
    expect(errors.map((error) => error.error.code)).toEqual(['invalid_params', 'invalid_params']);
    await host.expectHealthy();
  });

  it('refuses a message over 1 MiB (buffers aside), naming the call', async () => {
    const host = harness();
    const answer = await host.expectError(
      'ui.setTitle',
      { title: 'x'.repeat(600 * 1024) },
      'too_large',
    );
    expect(answer.id).toBe(1);
    await host.expectHealthy();
  });

  it('refuses a read of more rows than one page, before asking anything', async () => {
    const host = harness({ limits: { maxReadRows: 4 } });
    await host.expectError('data.read', { columns: ['dose'] }, 'too_large');
    await host.expectError('data.read', { columns: ['dose'], offset: 2, limit: 5 }, 'too_large');
    expect(host.reports).toEqual([]);
    expect(await host.call('data.read', { columns: ['dose'], offset: 6 })).toMatchObject({
      result: { rows: 4 },
    });
  });

  it('refuses a result buffer over the limit before looking at it', async () => {
    const host = harness({ limits: { maxResultBytes: 1024 } });
    await host.expectError(
      'data.write',
      { mode: 'columns', ipc: new ArrayBuffer(1025) },
      'too_large',
    );
    expect(host.writes).toEqual([]);
    expect(host.reports).toEqual([]);
    await host.expectHealthy();
  });

  it('refuses a second call with an id that is still open', async () => {
    let release: () => void = () => undefined;
    const host = harness({
      handlers: {
        storageGet: () => new Promise((resolve) => (release = () => resolve('late'))),
      },
    });
    host.port.postMessage({ kind: 'call', id: 5, method: 'storage.get', params: { key: 'a' } });
    await sleep(20);
    host.port.postMessage({ kind: 'call', id: 5, method: 'session.info', params: {} });
    expect(await host.answerTo(5)).toMatchObject({
      kind: 'error',
      error: { code: 'invalid_params' },
    });
    release();
    await host.waitFor((message) => message.kind === 'result' && message.id === 5);
  });

  it('refuses a call when the policy cannot be checked, without touching data', async () => {
    let read = false;
    const host = harness({
      report: async () => {
        throw new TypeError('offline');
      },
      handlers: {
        readColumns: async () => {
          read = true;
          return { ipc: new ArrayBuffer(0), rows: 0 };
        },
      },
    });
    await host.expectError('data.read', { columns: ['dose'] }, 'failed');
    expect(read).toBe(false);
    await host.expectHealthy();
  });
});

describe('policy', () => {
  it('refuses with blocked and tears down when the server says the plugin is blocked', async () => {
    const host = harness();
    await host.call('data.read', { columns: ['dose'] });
    host.setPolicy({ state: 'blocked', reason: 'blocked for everyone' });
    const answer = await host.expectError('data.read', { columns: ['dose'] }, 'blocked');
    expect(answer.id).toBe(2);
    expect(await host.terminated()).toEqual({
      code: 'blocked',
      message: 'an administrator blocked it',
      detail: 'blocked for everyone',
    });
    await host.waitFor((message) => message.kind === 'event' && message.event === 'shutdown');
    expect(host.broker.status()).toBe('terminated');
    expect(host.reports.at(-1)).toMatchObject({ action: 'plugin.terminated' });
  });

  it('does not write a result once blocked', async () => {
    const host = harness();
    host.setPolicy({ state: 'ended', reason: null });
    await host.expectError('data.write', { mode: 'table', ipc: new ArrayBuffer(8) }, 'blocked');
    expect(host.writes).toEqual([]);
    expect(host.discarded).toHaveLength(1);
    expect((await host.terminated())?.code).toBe('ended');
  });

  it('tears down when a reported denial comes back blocked', async () => {
    const host = harness({ permissions: [] });
    host.setPolicy({ state: 'blocked', reason: null });
    await host.expectError('storage.get', { key: 'k' }, 'permission_denied');
    expect((await host.terminated())?.code).toBe('blocked');
  });
});

describe('watchdogs', () => {
  it('terminates a plugin that floods its port, and then ignores it', async () => {
    const host = harness();
    for (let i = 0; i < 250; i++) host.port.postMessage({ kind: 'pong', seq: 0 });
    expect(await host.terminated()).toEqual({ code: 'flood', message: 'it flooded its port' });
    host.port.postMessage({ kind: 'call', id: 1, method: 'session.info', params: {} });
    await sleep(30);
    expect(host.received.some((message) => message.kind === 'result')).toBe(false);
  });

  it('lets 200 messages a second through', async () => {
    const host = harness();
    for (let i = 0; i < 199; i++) host.port.postMessage({ kind: 'pong', seq: 0 });
    await sleep(30);
    await host.expectHealthy();
    expect(host.terminations).toEqual([]);
  });

  it('terminates a plugin that keeps more than 20 calls open', async () => {
    const host = harness({ handlers: { storageGet: () => new Promise(() => undefined) } });
    for (let id = 1; id <= 21; id++) {
      host.port.postMessage({ kind: 'call', id, method: 'storage.get', params: { key: 'k' } });
    }
    expect(await host.terminated()).toEqual({
      code: 'flood',
      message: 'it kept too many calls open',
    });
  });

  it('pings after ready and terminates when no pong comes', async () => {
    const host = harness({ limits: { pingIntervalMs: 20, pongTimeoutMs: 60 } });
    host.port.postMessage({ kind: 'ready' });
    await host.waitFor((message) => message.kind === 'ping');
    expect(await host.terminated()).toEqual({
      code: 'unresponsive',
      message: 'it stopped answering',
    });
    expect(host.reports).toEqual([
      { action: 'plugin.started' },
      { action: 'plugin.terminated', detail: 'it stopped answering' },
    ]);
  });

  it('keeps a plugin that answers its pings', async () => {
    const host = harness({ limits: { pingIntervalMs: 20, pongTimeoutMs: 60 } });
    host.port.addEventListener('message', (event: MessageEvent) => {
      const message = event.data as HostToPluginMessage;
      if (message.kind === 'ping') host.port.postMessage({ kind: 'pong', seq: message.seq });
    });
    host.port.postMessage({ kind: 'ready' });
    await sleep(250);
    expect(host.terminations).toEqual([]);
    expect(host.received.filter((message) => message.kind === 'ping').length).toBeGreaterThan(5);
    await host.expectHealthy();
  });

  it('terminates a plugin that never gets ready', async () => {
    const host = harness({ limits: { startTimeoutMs: 30 } });
    expect((await host.terminated())?.code).toBe('did_not_start');
  });

  it('terminates a plugin whose worker crashed, saying so', async () => {
    const host = harness();
    host.port.postMessage({ kind: 'crashed', message: 'SyntaxError in worker.js' });
    expect(await host.terminated()).toEqual({
      code: 'crashed',
      message: 'it crashed (SyntaxError in worker.js)',
    });
  });
});

describe('client events: started and blocked egress', () => {
  it('reports plugin.started once, when the frame says ready', async () => {
    const host = harness({ limits: { pingIntervalMs: 10_000 } });
    host.port.postMessage({ kind: 'ready' });
    host.port.postMessage({ kind: 'ready' });
    await host.expectHealthy();
    expect(host.reports).toEqual([{ action: 'plugin.started' }]);
  });

  it('tears down a plugin whose start the server answers with blocked', async () => {
    const host = harness({ limits: { pingIntervalMs: 10_000 } });
    host.setPolicy({ state: 'blocked', reason: 'Blocked for everyone.' });
    host.port.postMessage({ kind: 'ready' });
    expect(await host.terminated()).toMatchObject({ code: 'blocked' });
  });

  it('reports a reduced egress_blocked with its directive and blocked URI', async () => {
    const host = harness();
    host.port.postMessage({
      kind: 'egress_blocked',
      directive: 'connect-src',
      blockedUri: 'http://127.0.0.1:9/leak',
    });
    await host.expectHealthy();
    expect(host.reports).toEqual([
      {
        action: 'plugin.egress_blocked',
        directive: 'connect-src',
        blockedUri: 'http://127.0.0.1:9/leak',
      },
    ]);
    expect(host.received.filter((message) => message.kind === 'error')).toEqual([]);
  });

  it('refuses egress reports that are not reduced or name no allowed directive', async () => {
    const host = harness();
    const hostile = [
      { kind: 'egress_blocked', directive: 'connect-src', blockedUri: 'https://e.test/x?secret=1' },
      { kind: 'egress_blocked', directive: 'connect-src', blockedUri: 'https://u:p@e.test/x' },
      {
        kind: 'egress_blocked',
        directive: 'connect-src',
        blockedUri: `https://e.test/${'a'.repeat(300)}`,
      },
      { kind: 'egress_blocked', directive: 'sandbox', blockedUri: 'https://e.test/' },
      { kind: 'egress_blocked', directive: '__proto__', blockedUri: 'eval' },
      { kind: 'egress_blocked', directive: 'img-src', blockedUri: 'data', extra: 1 },
      { kind: 'egress_blocked', directive: 'img-src' },
      JSON.parse(
        '{"kind":"egress_blocked","directive":"img-src","blockedUri":"data","__proto__":{}}',
      ),
    ];
    for (const message of hostile) host.port.postMessage(message);
    await host.expectHealthy();
    expect(host.reports).toEqual([]);
    const refusals = host.received.filter((message) => message.kind === 'error');
    expect(refusals).toHaveLength(hostile.length);
    for (const refusal of refusals)
      expect((refusal as ErrorMessage).error.code).toBe('invalid_params');
  });

  it('reports at most maxEgressReports per instance, and keeps the plugin running', async () => {
    const host = harness({ limits: { maxEgressReports: 3 } });
    for (let i = 0; i < 10; i++) {
      host.port.postMessage({ kind: 'egress_blocked', directive: 'img-src', blockedUri: 'data' });
    }
    await host.expectHealthy();
    expect(host.reports.filter((event) => event.action === 'plugin.egress_blocked')).toHaveLength(
      3,
    );
    expect(host.terminations).toEqual([]);
  });
});

describe('close', () => {
  it('reads nothing when the plugin is closed while the server is asked', async () => {
    let read = false;
    let answer: (state: PluginInstanceState) => void = () => undefined;
    const host = harness({
      report: () => new Promise((resolve) => (answer = resolve)),
      handlers: {
        readColumns: async () => {
          read = true;
          return { ipc: new ArrayBuffer(0), rows: 0 };
        },
      },
    });
    host.port.postMessage({
      kind: 'call',
      id: 1,
      method: 'data.read',
      params: { columns: ['dose'] },
    });
    await sleep(20);
    host.broker.close('closed by the user');
    answer({ state: 'active', reason: null });
    await sleep(20);
    expect(read).toBe(false);
  });

  it('tells the plugin, stops answering and reports no termination', async () => {
    const host = harness();
    host.broker.close('closed by the user');
    expect(await host.waitFor((message) => message.kind === 'event')).toEqual({
      kind: 'event',
      event: 'shutdown',
      reason: 'closed by the user',
    });
    expect(host.broker.status()).toBe('closed');
    expect(host.terminations).toEqual([]);
    expect(host.reports).toEqual([]);
  });
});
