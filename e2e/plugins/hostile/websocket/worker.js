/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Tries to open a WebSocket to the listener. */
(async () => {
  const target = '__LISTENER__'.replace('http:', 'ws:');
  const open = () =>
    Promise.race([
      new Promise((resolve, reject) => {
        const socket = new WebSocket(`${target}/socket`);
        socket.onopen = () => {
          socket.close();
          resolve('open');
        };
        socket.onerror = () => reject(wire.eventError('error event'));
      }),
      wire.timeout(3000),
    ]);
  await wire.report('WebSocket', { websocket: await wire.attempt(open) });
})();
