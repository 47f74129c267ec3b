/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Granted only ui:panel: reads, writes, selection and storage must all be refused. */
(async () => {
  const ipc = new ArrayBuffer(64);
  const results = {
    sessionInfo: (await wire.call('session.info')).text,
    dataRead: (await wire.call('data.read', { columns: ['compound'] })).text,
    dataWrite: (await wire.call('data.write', { mode: 'columns', ipc }, [ipc])).text,
    selectionGet: (await wire.call('selection.get')).text,
    selectionSubscribe: (await wire.call('selection.subscribe')).text,
    storageGet: (await wire.call('storage.get', { key: 'k' })).text,
    storageSet: (await wire.call('storage.set', { key: 'k', value: 'v' })).text,
  };
  await wire.report('methods not granted', results);
})();
