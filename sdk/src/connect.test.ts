import { afterEach, describe, expect, it, vi } from 'vitest';
import { readColumns, tableFromColumns } from './arrow.ts';
import { connect, READ_PAGE_ROWS, type PluginEndpoint } from './connect.ts';
import { PluginError } from './plugin-error.ts';
import type { SessionInfo } from './protocol.ts';

const session: SessionInfo = {
  pluginId: 'enclave.stats',
  instanceId: 'instance-1',
  permissions: ['data:read', 'data:write', 'selection:read', 'ui:panel', 'storage:own'],
  table: { name: 'samples', rowCount: 3, columns: [{ name: 'mass', type: 'float' }] },
};

interface Call {
  kind: 'call';
  id: number;
  method: string;
  params: Record<string, unknown>;
}

/** The host's side of a real MessageChannel: it records calls and answers through `answer`. */
class HostPeer {
  readonly calls: Call[] = [];
  readonly others: unknown[] = [];
  private readonly waiters: (() => void)[] = [];
  answer: (call: Call) => void = (call) => {
    if (call.method === 'session.info') this.send({ kind: 'result', id: call.id, result: session });
  };
  constructor(readonly port: MessagePort) {
    port.addEventListener('message', (event) => {
      const data = event.data as Call;
      if (data.kind === 'call') {
        this.calls.push(data);
        this.answer(data);
      } else this.others.push(data);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    port.start();
  }
  send(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }
  /** Waits until `predicate` holds for what the host has received. */
  async until(predicate: () => boolean): Promise<void> {
    const deadline = Date.now() + 2_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

function channel() {
  const { port1, port2 } = new MessageChannel();
  channels.push({ port1, port2 } as MessageChannel);
  return { host: new HostPeer(port1), endpoint: port2 as unknown as PluginEndpoint };
}

describe('connect', () => {
  it('fetches the session info first', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    expect(plugin.session).toEqual(session);
    expect(host.calls).toEqual([{ kind: 'call', id: 1, method: 'session.info', params: {} }]);
  });

  it('rejects with a PluginError when the host does not answer in time', async () => {
    const { host, endpoint } = channel();
    host.answer = () => {};
    const connecting = connect({ endpoint, timeoutMs: 50 });
    await expect(connecting).rejects.toBeInstanceOf(PluginError);
    await expect(connecting).rejects.toMatchObject({ code: 'failed' });
  });

  it('matches results to calls by id, whatever their order', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    host.answer = () => {};
    const first = plugin.storage.get('a');
    const second = plugin.storage.get('b');
    await host.until(() => host.calls.length === 3);
    const [, a, b] = host.calls;
    expect([a!.id, b!.id]).toEqual([2, 3]);
    host.send({ kind: 'result', id: b!.id, result: { value: 'B' } });
    host.send({ kind: 'result', id: a!.id, result: { value: null } });
    expect(await first).toBeNull();
    expect(await second).toBe('B');
  });

  it('rejects a refused call with the stable code and the host-given cause', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    host.answer = (call) =>
      host.send({
        kind: 'error',
        id: call.id,
        error: {
          code: 'column_not_granted',
          message: 'Not handed to this plugin',
          cause: 'column "ssn"',
        },
      });
    const error = await plugin.data.read(['ssn']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({
      code: 'column_not_granted',
      message: 'Not handed to this plugin',
      cause: 'column "ssn"',
    });
  });

  it('sends only defined options of data.read', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    host.answer = (call) =>
      host.send({ kind: 'result', id: call.id, result: { ipc: new ArrayBuffer(2), rows: 0 } });
    await plugin.data.read(['mass'], { limit: 10 });
    expect(host.calls[1]!.params).toEqual({ columns: ['mass'], limit: 10 });
  });

  it('reads a range longer than a page in pages and joins them in order', async () => {
    const { host, endpoint } = channel();
    const rowCount = 2 * READ_PAGE_ROWS + 1;
    host.answer = (call) => {
      if (call.method === 'session.info') {
        host.send({
          kind: 'result',
          id: call.id,
          result: { ...session, table: { ...session.table, rowCount } },
        });
        return;
      }
      const offset = call.params.offset as number;
      const limit = call.params.limit as number;
      const rows = Math.min(limit, rowCount - offset);
      const bytes = tableFromColumns({
        mass: Float64Array.from({ length: rows }, (_, row) => offset + row),
        label: Array.from({ length: rows }, (_, row) => ((offset + row) % 3 === 1 ? null : 'a')),
      });
      const ipc = bytes.slice().buffer;
      host.send({ kind: 'result', id: call.id, result: { ipc, rows } }, [ipc]);
    };
    const plugin = await connect({ endpoint });

    const whole = await plugin.data.read(['mass', 'label']);

    expect(host.calls.slice(1).map((call) => [call.params.offset, call.params.limit])).toEqual([
      [0, READ_PAGE_ROWS],
      [READ_PAGE_ROWS, READ_PAGE_ROWS],
      [2 * READ_PAGE_ROWS, 1],
    ]);
    expect(whole.rows).toBe(rowCount);
    const { mass, label } = readColumns(whole);
    expect(mass!.length).toBe(rowCount);
    for (const row of [0, 1, READ_PAGE_ROWS - 1, READ_PAGE_ROWS, rowCount - 1]) {
      expect(mass![row], `row ${row}`).toBe(row);
      expect(label![row], `row ${row}`).toBe(row % 3 === 1 ? null : 'a');
    }
  });

  it('stops at a short page: the table ended before the range did', async () => {
    const { host, endpoint } = channel();
    host.answer = (call) => {
      if (call.method === 'session.info') {
        host.send({ kind: 'result', id: call.id, result: session });
        return;
      }
      const ipc = tableFromColumns({ mass: new Float64Array(5) }).slice().buffer;
      host.send({ kind: 'result', id: call.id, result: { ipc, rows: 5 } }, [ipc]);
    };
    const plugin = await connect({ endpoint });
    const read = await plugin.data.read(['mass'], { offset: 0, limit: 3 * READ_PAGE_ROWS });
    expect(host.calls).toHaveLength(2);
    expect(read.rows).toBe(5);
  });

  it('answers every ping with a pong at once, even while calls are open', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    host.answer = () => {};
    void plugin.selection.get();
    host.send({ kind: 'ping', seq: 41 });
    host.send({ kind: 'ping', seq: 42 });
    await host.until(() => host.others.length === 2);
    expect(host.others).toEqual([
      { kind: 'pong', seq: 41 },
      { kind: 'pong', seq: 42 },
    ]);
  });

  it('ignores malformed and unmatched messages without throwing', async () => {
    const { host, endpoint } = channel();
    host.answer = (call) => {
      host.send(JSON.parse(`{"kind":"result","id":${call.id},"result":{"__proto__":{"x":1}}}`));
      host.send({ kind: 'result', id: 99, result: session });
      host.send({ kind: 'result', id: call.id, result: { ...session, table: null } });
      host.send({ kind: 'error', id: call.id, error: { code: 'teapot', message: 'no' } });
      host.send({ kind: 'ping', seq: -1 });
      host.send(null);
      host.send({ kind: 'result', id: call.id, result: session });
    };
    const plugin = await connect({ endpoint });
    expect(plugin.session).toEqual(session);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(host.others).toEqual([]);
  });

  it('transfers the bytes of data.write, copying a view of part of a buffer', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    host.answer = (call) =>
      host.send({ kind: 'result', id: call.id, result: { columns: ['stats.mean'], rows: 3 } });

    const whole = new Uint8Array([1, 2, 3]);
    expect(await plugin.data.write(whole, { mode: 'columns' })).toEqual({
      columns: ['stats.mean'],
      rows: 3,
    });
    expect(whole.buffer.byteLength).toBe(0);

    const backing = new Uint8Array([9, 8, 7, 6]);
    await plugin.data.write(backing.subarray(1, 3), { mode: 'table', name: 'out' });
    expect(backing.byteLength).toBe(4);
    const sent = host.calls[2]!.params as { ipc: ArrayBuffer; mode: string; name: string };
    expect([...new Uint8Array(sent.ipc)]).toEqual([8, 7]);
    expect(sent).toMatchObject({ mode: 'table', name: 'out' });
  });

  it('subscribes to the selection once and delivers changes to every listener', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    host.answer = (call) =>
      host.send({ kind: 'result', id: call.id, result: { subscribed: true } });
    const first: number[][] = [];
    const second: number[][] = [];
    const stopFirst = await plugin.selection.onChange((rows) => first.push(rows));
    await plugin.selection.onChange((rows) => second.push(rows));
    expect(host.calls.filter((call) => call.method === 'selection.subscribe')).toHaveLength(1);
    host.send({ kind: 'event', event: 'selection', rows: [1, 2] });
    await vi.waitFor(() => expect(second).toEqual([[1, 2]]));
    stopFirst();
    host.send({ kind: 'event', event: 'selection', rows: [3] });
    await vi.waitFor(() => expect(second).toEqual([[1, 2], [3]]));
    expect(first).toEqual([[1, 2]]);
  });

  it('delivers UI events and the shutdown reason, even when another listener throws', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const events: unknown[] = [];
    const reasons: string[] = [];
    plugin.ui.onEvent(() => {
      throw new Error('listener bug');
    });
    plugin.ui.onEvent((event) => events.push(event));
    plugin.onShutdown((reason) => reasons.push(reason));
    host.send({ kind: 'event', event: 'ui.click', id: 'run' });
    host.send({ kind: 'event', event: 'shutdown', reason: 'Blocked by an administrator' });
    await vi.waitFor(() => expect(reasons).toEqual(['Blocked by an administrator']));
    expect(events).toEqual([{ kind: 'event', event: 'ui.click', id: 'run' }]);
    expect(quiet).toHaveBeenCalledTimes(1);
    quiet.mockRestore();
  });

  it('sends the ui and storage calls with the protocol params', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    host.answer = (call) => host.send({ kind: 'result', id: call.id, result: { ok: true } });
    await plugin.ui.render({ type: 'text', text: 'hi' });
    await plugin.ui.svg('<svg/>');
    await plugin.ui.setTitle('Stats');
    await plugin.ui.setHeight(300);
    await plugin.storage.set('k', null);
    expect(host.calls.slice(1).map(({ method, params }) => [method, params])).toEqual([
      ['ui.render', { view: { type: 'text', text: 'hi' } }],
      ['ui.svg', { markup: '<svg/>' }],
      ['ui.setTitle', { title: 'Stats' }],
      ['ui.setHeight', { height: 300 }],
      ['storage.set', { key: 'k', value: null }],
    ]);
  });

  it('rejects a call whose params cannot be cloned, without sending it', async () => {
    const { host, endpoint } = channel();
    const plugin = await connect({ endpoint });
    const view = { type: 'text', text: 'x', onClick: () => {} } as unknown as {
      type: 'text';
      text: string;
    };
    await expect(plugin.ui.render(view)).rejects.toMatchObject({ code: 'invalid_params' });
    expect(host.calls).toHaveLength(1);
  });
});
