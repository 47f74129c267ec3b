/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Tries to open an EventSource stream from the listener. */
(async () => {
  const open = () =>
    Promise.race([
      new Promise((resolve, reject) => {
        const source = new EventSource('__LISTENER__/events');
        source.onopen = () => {
          source.close();
          resolve('open');
        };
        source.onerror = () => {
          source.close();
          reject(wire.eventError('error event'));
        };
      }),
      wire.timeout(3000),
    ]);
  await wire.report('EventSource', { eventsource: await wire.attempt(open) });
})();
