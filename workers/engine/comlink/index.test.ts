/**
 * The engine's comlink door over a real MessageChannel: calls and typed errors cross it, Arrow
 * bytes are transferred, and raw comlink messages that try to read, overwrite or call anything
 * but the engine's methods (the prototype included) are refused while the engine keeps working.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../engine.ts';
import { EngineError } from '../engine-error.ts';
import { connectEngine, exposeEngine, type EngineEndpoint } from './index.ts';

const open: MessagePort[] = [];

afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function served() {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  exposeEngine(createEngine(), port1 as unknown as EngineEndpoint);
  return port2;
}

/** Sends one raw comlink message and waits for its answer, as a hostile page script could. */
function raw(
  port: MessagePort,
  message: Record<string, unknown>,
): Promise<{ type: string; value: unknown }> {
  const id = crypto.randomUUID();
  return new Promise((resolve) => {
    const listener = (data: { id?: string; type: string; value: unknown }) => {
      if (data.id !== id) return;
      port.off('message', listener);
      resolve(data);
    };
    port.on('message', listener);
    port.postMessage({ id, ...message });
  });
}

const csv = new TextEncoder().encode('compound,ic50\naspirin,1.5\ncaffeine,2.5\n');

describe('the engine door', () => {
  it('carries calls, transfers Arrow answers, and rebuilds engine errors with their code', async () => {
    const engine = connectEngine(served() as unknown as EngineEndpoint);
    const bytes = csv.slice().buffer as ArrayBuffer;
    const table = await engine.open({ kind: 'bytes', bytes, name: 'a.csv' }, { jobId: 'j' });
    expect(bytes.byteLength).toBe(0);
    expect(table.rowCount).toBe(2);
    const page = await engine.rows(table.tableId, 0, 2);
    expect(page.rows).toBe(2);
    expect(page.ipc.byteLength).toBeGreaterThan(0);

    const refused = await engine.rows('no-such-table', 0, 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EngineError);
    expect(refused).toMatchObject({ code: 'not_found' });
    const bad = await engine.query(table.tableId, { limit: -1 }).catch((error: unknown) => error);
    expect(bad).toMatchObject({ code: 'invalid_request' });
  });

  it("transfers a plugin's result to appendColumns and answers the new table, or the refusal", async () => {
    const engine = connectEngine(served() as unknown as EngineEndpoint);
    const table = await engine.open(
      { kind: 'bytes', bytes: csv.slice().buffer as ArrayBuffer, name: 'a.csv' },
      { jobId: 'j' },
    );
    const page = await engine.rows(table.tableId, 0, 2, ['ic50']);
    const result = page.ipc.buffer as ArrayBuffer;
    const appended = await engine.appendColumns(table.tableId, result, { label: 'enclave.stats' });
    expect(result.byteLength).toBe(0);
    expect(appended.tableId).not.toBe(table.tableId);
    expect(appended.columns.map((column) => [column.name, column.source?.plugin])).toEqual([
      ['compound', undefined],
      ['ic50', undefined],
      ['enclave.stats: ic50', 'enclave.stats'],
    ]);

    const garbage = new TextEncoder().encode('not arrow').buffer as ArrayBuffer;
    const refused = await engine
      .appendColumns(table.tableId, garbage, { label: 'enclave.stats' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EngineError);
    expect(refused).toMatchObject({ code: 'parse_error' });
  });

  it('refuses to set anything, the prototype included, and keeps serving', async () => {
    const port = served();
    const attempts = [
      { type: 'SET', path: ['__proto__', 'polluted'], value: { type: 'RAW', value: true } },
      {
        type: 'SET',
        path: ['constructor', 'prototype', 'polluted'],
        value: { type: 'RAW', value: true },
      },
      { type: 'SET', path: ['open'], value: { type: 'RAW', value: 'replaced' } },
      { type: 'SET', path: ['evil'], value: { type: 'RAW', value: 1 } },
    ];
    for (const attempt of attempts) {
      const answer = await raw(port, attempt);
      expect(answer).toMatchObject({ type: 'HANDLER', value: { isError: true } });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    const engine = connectEngine(port as unknown as EngineEndpoint);
    const table = await engine.open(
      { kind: 'bytes', bytes: csv.slice().buffer as ArrayBuffer, name: 'a.csv' },
      { jobId: 'after' },
    );
    expect(table.rowCount).toBe(2);
  });

  it('exposes only the engine methods: no prototype, constructor or other property to reach', async () => {
    const port = served();
    for (const path of [
      ['constructor'],
      ['__proto__'],
      ['toString'],
      ['constructor', 'constructor'],
      ['__proto__', 'constructor'],
    ]) {
      const read = await raw(port, { type: 'GET', path });
      // Either nothing is there to read, or reading throws: no function or object comes back.
      if (read.type === 'RAW') expect(read.value).toBeUndefined();
      else expect(read).toMatchObject({ type: 'HANDLER', value: { isError: true } });
    }
    const called = await raw(port, {
      type: 'APPLY',
      path: ['constructor', 'constructor'],
      argumentList: [{ type: 'RAW', value: 'return process' }],
    });
    expect(called).toMatchObject({ type: 'HANDLER', value: { isError: true } });
  });
});
