/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * The first plugin: keeps a secret in its private store and shouts it on a BroadcastChannel,
 * where another plugin of the same (opaque) origin would hear it.
 */
(async () => {
  const secret = 'owner-secret-__NONCE__';
  const stored = (await wire.call('storage.set', { key: 'secret', value: secret })).text;
  const readBack = await wire.call('storage.get', { key: 'secret' });
  const channel = new BroadcastChannel('enclave-plugins');
  setInterval(() => channel.postMessage(secret), 200);
  await wire.report('storage owner', {
    stored,
    readBack: readBack.result ? readBack.result.value : readBack.text,
  });
})();
