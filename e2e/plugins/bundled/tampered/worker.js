/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* The installed version: reports that it is the original. The test rewrites this file on disk. */
(async () => {
  await wire.report('tampered files', { version: 'original' });
})();
