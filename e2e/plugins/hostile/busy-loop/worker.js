/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Reports, then spins forever: it stops answering the host's heartbeats. */
(async () => {
  await wire.report('busy loop', { spinning: 'soon' });
  setTimeout(() => {
    for (;;) {
      // Never yields.
    }
  }, 500);
})();
