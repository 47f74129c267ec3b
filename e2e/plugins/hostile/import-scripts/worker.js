/* global wire, importScripts -- wire is defined by hostile/wire.js, put before this script */
/* Tries importScripts() from the listener, and nested workers that would fetch from it. */
(async () => {
  const target = '__LISTENER__';
  const started = (worker) =>
    Promise.race([
      new Promise((resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = () => reject(wire.eventError('error event'));
      }),
      wire.timeout(3000),
    ]);
  const blobSource = `fetch('${target}/nested-blob-worker').then(() => postMessage('fetched'), () => postMessage('refused'))`;
  const results = {
    importScripts: await wire.attempt(() => importScripts(`${target}/import-scripts.js`)),
    worker: await wire.attempt(() => started(new Worker(`${target}/nested-worker.js`))),
    // A nested worker that does start inherits the frame's CSP: its own fetch must be refused.
    blobWorker: await wire.attempt(async () => {
      const source = URL.createObjectURL(new Blob([blobSource], { type: 'text/javascript' }));
      const outcome = await started(new Worker(source));
      if (outcome === 'refused') throw wire.eventError('refused in the nested worker');
      return outcome;
    }),
  };
  await wire.report('importScripts', results);
})();
