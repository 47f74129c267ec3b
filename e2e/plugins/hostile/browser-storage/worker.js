/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * Tries to reach storage the browser keeps (IndexedDB, Cache Storage, the storage manager and
 * its private file system, local storage, cookies) and the windows above it: the app's own
 * datasets live in IndexedDB, its session in storage.
 */
(async () => {
  const openDatabase = (name) =>
    new Promise((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => {
        const names = [...request.result.objectStoreNames];
        request.result.close();
        resolve(`opened ${name} [${names.join(',')}]`);
      };
      request.onerror = () => reject(request.error || wire.eventError('error event'));
    });
  const results = {
    indexedDB: await wire.attempt(() => openDatabase('enclave-datasets')),
    indexedDBList: await wire.attempt(() =>
      indexedDB.databases().then((list) => list.map((entry) => entry.name).join(',')),
    ),
    caches: await wire.attempt(() => caches.keys().then((keys) => keys.join(','))),
    storageEstimate: await wire.attempt(() =>
      navigator.storage.estimate().then((estimate) => estimate.usage),
    ),
    fileSystem: await wire.attempt(() => navigator.storage.getDirectory().then(() => 'opened')),
    localStorage: wire.globalType('localStorage'),
    sessionStorage: wire.globalType('sessionStorage'),
    document: wire.globalType('document'),
    cookieStore: wire.globalType('cookieStore'),
    parent: wire.globalType('parent'),
    top: wire.globalType('top'),
    opener: wire.globalType('opener'),
    origin: self.origin,
  };
  await wire.report('browser storage', results);
})();
