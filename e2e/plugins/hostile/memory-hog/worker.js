/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * First an oversized result (300 MiB, over the 256 MiB limit of data.write), then memory
 * allocated until the worker's heap runs out: its frame's process dies or stops answering.
 */
(async () => {
  const huge = new ArrayBuffer(300 * 1024 * 1024);
  const oversized = (await wire.call('data.write', { mode: 'columns', ipc: huge }, [huge])).text;
  await wire.report('memory hog', { oversized, hoarding: 'soon' });
  const hoard = [];
  setTimeout(() => {
    for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
  }, 500);
})();
