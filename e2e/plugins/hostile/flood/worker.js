/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Reports, then floods its port with calls, as fast as it can post them. */
(async () => {
  await wire.report('message flood', { flooding: 'soon' });
  setTimeout(() => {
    for (let i = 0; i < 20_000; i++) {
      self.postMessage({ kind: 'call', id: 100_000 + i, method: 'session.info', params: {} });
    }
  }, 500);
})();
