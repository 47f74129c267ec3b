/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Tries XMLHttpRequest to the listener, asynchronous and synchronous. */
(async () => {
  const target = '__LISTENER__';
  const asynchronous = () =>
    new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', `${target}/xhr-async`);
      request.onload = () => resolve(request.status);
      request.onerror = () => reject(wire.eventError('error event'));
      request.send('secret=1');
    });
  const synchronous = () => {
    const request = new XMLHttpRequest();
    request.open('GET', `${target}/xhr-sync`, false);
    request.send();
    return request.status;
  };
  const results = {
    async: await wire.attempt(asynchronous),
    sync: await wire.attempt(synchronous),
  };
  await wire.report('XMLHttpRequest', results);
})();
