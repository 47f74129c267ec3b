import { afterEach, describe, expect, it } from 'vitest';
import { PanelError, startRelay, type PanelSurface, type RelayEndpoint } from './relay.ts';
import type { EgressBlockedMessage, PluginPermission, ViewNode } from '../src/protocol.ts';

/** One end of a real MessageChannel, with its messages queued for the test to take in order. */
class Peer {
  private readonly queue: unknown[] = [];
  private waiting: ((data: unknown) => void) | null = null;
  constructor(readonly port: MessagePort) {
    port.addEventListener('message', (event) => {
      if (this.waiting) {
        this.waiting(event.data);
        this.waiting = null;
      } else this.queue.push(event.data);
    });
    port.start();
  }
  send(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }
  next(): Promise<unknown> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message arrived')), 2_000);
      this.waiting = (data) => {
        clearTimeout(timer);
        resolve(data);
      };
    });
  }
  /** Resolves to the messages that arrived within a short while (none, for a dropped one). */
  async settle(): Promise<unknown[]> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return this.queue.splice(0);
  }
}

class RecordingPanel implements PanelSurface {
  readonly views: ViewNode[] = [];
  render(view: ViewNode): void {
    if (view.type === 'canvas' && view.id === 'duplicate') {
      throw new PanelError('invalid_params', 'two canvas nodes have the id "duplicate"');
    }
    this.views.push(view);
  }
  canvas(id: string): OffscreenCanvas {
    throw new PanelError('invalid_params', `no canvas node "${id}" is rendered`);
  }
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

function setUp(permissions: readonly PluginPermission[] = ['data:read', 'data:write', 'ui:panel']) {
  const hostChannel = new MessageChannel();
  const workerChannel = new MessageChannel();
  channels.push(hostChannel, workerChannel);
  const panel = new RecordingPanel();
  const egress: EgressBlockedMessage[] = [];
  const stop = startRelay({
    host: hostChannel.port2 as RelayEndpoint,
    worker: workerChannel.port1 as RelayEndpoint,
    permissions,
    panel,
    reportEgress: (report) => egress.push(report),
  });
  return {
    host: new Peer(hostChannel.port1),
    worker: new Peer(workerChannel.port2),
    panel,
    egress,
    stop,
  };
}

const readCall = { kind: 'call', id: 1, method: 'data.read', params: { columns: ['a'] } };

describe('startRelay', () => {
  it('relays a host call and its result, transferring the Arrow bytes both ways', async () => {
    const { host, worker } = setUp();
    worker.send(readCall);
    expect(await host.next()).toEqual(readCall);
    const ipc = new Uint8Array([1, 2, 3]).buffer;
    host.send({ kind: 'result', id: 1, result: { ipc, rows: 3 } }, [ipc]);
    const result = (await worker.next()) as { result: { ipc: ArrayBuffer } };
    expect([...new Uint8Array(result.result.ipc)]).toEqual([1, 2, 3]);

    const written = new Uint8Array([4, 5]).buffer;
    worker.send(
      { kind: 'call', id: 2, method: 'data.write', params: { mode: 'columns', ipc: written } },
      [written],
    );
    const call = (await host.next()) as { params: { ipc: ArrayBuffer } };
    expect([...new Uint8Array(call.params.ipc)]).toEqual([4, 5]);
  });

  it('drops host answers to calls that are not open, and answers an open call only once', async () => {
    const { host, worker } = setUp();
    host.send({ kind: 'result', id: 1, result: { ipc: new ArrayBuffer(1), rows: 1 } });
    expect(await worker.settle()).toEqual([]);
    worker.send(readCall);
    await host.next();
    host.send({ kind: 'error', id: 1, error: { code: 'column_not_granted', message: 'no' } });
    host.send({ kind: 'result', id: 1, result: { ipc: new ArrayBuffer(1), rows: 1 } });
    expect(await worker.settle()).toEqual([
      { kind: 'error', id: 1, error: { code: 'column_not_granted', message: 'no' } },
    ]);
  });

  it('turns a malformed host answer to an open call into a failed error', async () => {
    const { host, worker } = setUp();
    worker.send(readCall);
    await host.next();
    host.send({ kind: 'result', id: 1, result: { ipc: 'not bytes', rows: 1 } });
    expect(await worker.next()).toMatchObject({ kind: 'error', id: 1, error: { code: 'failed' } });
  });

  it('refuses hostile worker messages itself; the host never sees them', async () => {
    const { host, worker } = setUp();
    worker.send(
      JSON.parse(
        '{"kind":"call","id":4,"method":"storage.get","params":{"__proto__":{"x":1},"key":"k"}}',
      ),
    );
    worker.send({ kind: 'call', id: 5, method: 'admin.grant', params: {} });
    worker.send({ kind: 'result', id: 6, result: {} });
    worker.send('hello');
    expect(await worker.next()).toMatchObject({ id: 4, error: { code: 'invalid_params' } });
    expect(await worker.next()).toMatchObject({ id: 5, error: { code: 'unknown_method' } });
    expect(await worker.next()).toMatchObject({ id: 6, error: { code: 'invalid_params' } });
    expect(await worker.next()).toMatchObject({ id: null, error: { code: 'invalid_params' } });
    expect(await host.settle()).toEqual([]);
  });

  it('refuses a call id that is already open', async () => {
    const { host, worker } = setUp();
    worker.send(readCall);
    worker.send(readCall);
    expect(await host.next()).toEqual(readCall);
    expect(await worker.next()).toMatchObject({ id: 1, error: { code: 'invalid_params' } });
    expect(await host.settle()).toEqual([]);
  });

  it('answers ui calls itself when ui:panel was granted', async () => {
    const { host, worker, panel } = setUp();
    const view = { type: 'text', text: 'hello' };
    worker.send({ kind: 'call', id: 1, method: 'ui.render', params: { view } });
    worker.send({ kind: 'call', id: 2, method: 'ui.svg', params: { markup: '<svg></svg>' } });
    expect(await worker.next()).toEqual({ kind: 'result', id: 1, result: { ok: true } });
    expect(await worker.next()).toEqual({ kind: 'result', id: 2, result: { ok: true } });
    expect(panel.views).toEqual([view, { type: 'svg', markup: '<svg></svg>' }]);
    expect(await host.settle()).toEqual([]);
  });

  it("passes the panel's refusals on with their code", async () => {
    const { worker } = setUp();
    worker.send({
      kind: 'call',
      id: 1,
      method: 'ui.canvas',
      params: { id: 'nope', width: 10, height: 10 },
    });
    worker.send({
      kind: 'call',
      id: 2,
      method: 'ui.render',
      params: { view: { type: 'canvas', id: 'duplicate' } },
    });
    expect(await worker.next()).toMatchObject({ id: 1, error: { code: 'invalid_params' } });
    expect(await worker.next()).toMatchObject({ id: 2, error: { code: 'invalid_params' } });
  });

  it('refuses ui calls without ui:panel, drawing nothing', async () => {
    const { host, worker, panel } = setUp(['data:read']);
    worker.send({
      kind: 'call',
      id: 1,
      method: 'ui.render',
      params: { view: { type: 'text', text: 'x' } },
    });
    worker.send({
      kind: 'call',
      id: 2,
      method: 'ui.canvas',
      params: { id: 'c', width: 10, height: 10 },
    });
    expect(await worker.next()).toMatchObject({ id: 1, error: { code: 'permission_denied' } });
    expect(await worker.next()).toMatchObject({ id: 2, error: { code: 'permission_denied' } });
    expect(panel.views).toEqual([]);
    expect(await host.settle()).toEqual([]);
  });

  it('holds messages for the worker until it first speaks, then delivers them in order', async () => {
    const { host, worker } = setUp();
    host.send({ kind: 'ping', seq: 1 });
    host.send({ kind: 'event', event: 'selection', rows: [2] });
    expect(await worker.settle()).toEqual([]);
    worker.send({ kind: 'pong', seq: 0 });
    expect(await worker.next()).toEqual({ kind: 'ping', seq: 1 });
    expect(await worker.next()).toEqual({ kind: 'event', event: 'selection', rows: [2] });
  });

  it('relays pings to the worker and pongs to the host, and host events to the worker', async () => {
    const { host, worker } = setUp();
    worker.send({ kind: 'pong', seq: 0 });
    expect(await host.next()).toEqual({ kind: 'pong', seq: 0 });
    host.send({ kind: 'ping', seq: 12 });
    expect(await worker.next()).toEqual({ kind: 'ping', seq: 12 });
    worker.send({ kind: 'pong', seq: 12 });
    expect(await host.next()).toEqual({ kind: 'pong', seq: 12 });
    host.send({ kind: 'event', event: 'shutdown', reason: 'blocked by an administrator' });
    expect(await worker.next()).toEqual({
      kind: 'event',
      event: 'shutdown',
      reason: 'blocked by an administrator',
    });
  });

  it('never lets the host forge UI events or calls to the worker', async () => {
    const { host, worker } = setUp();
    worker.send({ kind: 'pong', seq: 0 });
    host.send({ kind: 'event', event: 'ui.click', id: 'delete-all' });
    host.send({ kind: 'call', id: 1, method: 'session.info', params: {} });
    expect(await worker.settle()).toEqual([]);
  });

  it("reduces the worker's egress reports, drops unknown directives, and holds messages still", async () => {
    const { host, worker, egress } = setUp();
    host.send({ kind: 'ping', seq: 1 });
    worker.send({
      kind: 'egress_blocked',
      directive: 'connect-src',
      blockedUri: 'http://user:pw@evil.test:9/leak/' + 'a'.repeat(400) + '?secret=1#x',
      extra: 'ignored',
    });
    worker.send({ kind: 'egress_blocked', directive: 'sandbox', blockedUri: 'https://x.test/' });
    worker.send({ kind: 'egress_blocked', directive: 'img-src', blockedUri: { href: 'x' } });
    worker.send({ kind: 'egress_blocked', directive: 'script-src-elem', blockedUri: 'eval' });
    // Not the worker speaking: the held ping stays held, and nothing is refused to the worker.
    expect(await worker.settle()).toEqual([]);
    expect(await host.settle()).toEqual([]);
    expect(egress).toEqual([
      {
        kind: 'egress_blocked',
        directive: 'connect-src',
        blockedUri: ('http://evil.test:9/leak/' + 'a'.repeat(400)).slice(0, 300),
      },
      { kind: 'egress_blocked', directive: 'script-src-elem', blockedUri: 'eval' },
    ]);
    worker.send({ kind: 'pong', seq: 0 });
    expect(await worker.next()).toEqual({ kind: 'ping', seq: 1 });
  });

  it('stops relaying when stopped', async () => {
    const { host, worker, stop } = setUp();
    stop();
    worker.send(readCall);
    host.send({ kind: 'ping', seq: 1 });
    expect(await host.settle()).toEqual([]);
    expect(await worker.settle()).toEqual([]);
  });
});
