/*
 * The prelude of every hostile plugin: the wire protocol of sdk/src/protocol.ts spoken by hand,
 * without the SDK, so a plugin can also send what the SDK never would. It answers the host's
 * pings (a plugin that stops answering is terminated), makes calls, and renders the plugin's
 * report as a text node the test reads from the frame: `report: {…}`.
 *
 * A classic script that imports nothing, so it runs the same as a classic or a module worker;
 * `wire` is a global of the worker for the plugin's own script that follows it.
 */
self.wire = (() => {
  const pending = new Map();
  const eventListeners = [];
  /** Codes of errors that answered no call of ours (a message too broken to carry an id). */
  const unmatchedErrors = [];
  let nextId = 1;

  self.addEventListener('message', (event) => {
    const message = event.data;
    if (typeof message !== 'object' || message === null) return;
    if (message.kind === 'ping') {
      self.postMessage({ kind: 'pong', seq: message.seq });
    } else if (message.kind === 'result' || message.kind === 'error') {
      const settle = pending.get(message.id);
      if (settle) {
        pending.delete(message.id);
        settle(message);
      } else if (message.kind === 'error') {
        unmatchedErrors.push(message.error && message.error.code);
      }
    } else if (message.kind === 'event') {
      for (const listener of eventListeners) listener(message);
    }
  });

  /** What a call ended in: `ok`, `error: <code>`, or `no answer` when none came in time. */
  function outcomeOf(answer) {
    if (answer.kind === 'result') return { text: 'ok', result: answer.result };
    if (answer.kind === 'error')
      return { text: `error: ${answer.error.code}`, error: answer.error };
    return { text: 'no answer' };
  }

  /** Posts any message as it is; waits for the answer to its `id` when it has a numeric one. */
  function send(message, transfer = [], waitMs = 5000) {
    return new Promise((resolve) => {
      const id = typeof message === 'object' && message !== null ? message.id : undefined;
      if (typeof id === 'number') {
        pending.set(id, (answer) => resolve(outcomeOf(answer)));
        setTimeout(() => {
          if (pending.delete(id)) resolve(outcomeOf({ kind: 'timeout' }));
        }, waitMs);
      } else {
        setTimeout(() => resolve({ text: 'sent' }), 100);
      }
      self.postMessage(message, transfer);
    });
  }

  /** Calls a method of the host (or the runtime); resolves with its outcome, never rejects. */
  function call(method, params = {}, transfer = []) {
    return send({ kind: 'call', id: nextId++, method, params }, transfer);
  }

  /** Runs one escape attempt: `reached: …` when it worked, `blocked: <error name>` when not. */
  async function attempt(action) {
    try {
      const detail = await action();
      return detail === undefined ? 'reached' : `reached: ${String(detail)}`;
    } catch (error) {
      const name = error && typeof error === 'object' && 'name' in error ? error.name : '';
      return `blocked: ${name || String(error)}`;
    }
  }

  /** `undefined` when the global does not exist here, else `reached: <its type>`. */
  function globalType(name) {
    const type = typeof self[name];
    return type === 'undefined' ? 'undefined' : `reached: ${type}`;
  }

  /** A promise that rejects with an error named `Timeout` (an attempt that never finished). */
  function timeout(ms) {
    return new Promise((_, reject) => {
      setTimeout(() => reject(Object.assign(new Error('no answer'), { name: 'Timeout' })), ms);
    });
  }

  /** An error whose name says which event ended an attempt (WebSocket, EventSource, …). */
  function eventError(name) {
    return Object.assign(new Error(name), { name });
  }

  /** Replaces the panel with the plugin's title, `extra` view nodes and the report. */
  function report(title, results, extra = []) {
    return call('ui.render', {
      view: {
        type: 'stack',
        children: [
          { type: 'text', text: title, style: 'heading' },
          ...extra,
          { type: 'text', text: `report: ${JSON.stringify(results)}`, style: 'code' },
        ],
      },
    });
  }

  function onEvent(listener) {
    eventListeners.push(listener);
  }

  return {
    send,
    call,
    attempt,
    globalType,
    timeout,
    eventError,
    report,
    onEvent,
    unmatchedErrors,
    takeId: () => nextId++,
  };
})();
