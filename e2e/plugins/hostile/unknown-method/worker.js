/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * Methods outside the allow-list, malformed messages (no kind, a bad id, not an object, wrong
 * parameter types) and an oversized one. Each gets a typed error; none stops the host, and a
 * normal call still works afterwards.
 */
(async () => {
  const results = {
    fsRead: (await wire.call('fs.readFile', { path: '/etc/passwd' })).text,
    dataDelete: (await wire.call('data.delete', {})).text,
    evaluate: (await wire.call('eval', { code: 'document.cookie' })).text,
    fetch: (await wire.call('fetch', { url: '__LISTENER__/via-host' })).text,
    empty: (await wire.call('', {})).text,
    negativeId: (
      await wire.send({ kind: 'call', id: -1, method: 'session.info', params: {} }, [], 1500)
    ).text,
    fractionId: (
      await wire.send({ kind: 'call', id: 1.5, method: 'session.info', params: {} }, [], 1500)
    ).text,
    noParams: (await wire.send({ kind: 'call', id: wire.takeId(), method: 'session.info' })).text,
    wrongType: (await wire.call('storage.get', { key: 42 })).text,
    longTitle: (await wire.call('ui.setTitle', { title: 'x'.repeat(10_000) })).text,
    hugeHeight: (await wire.call('ui.setHeight', { height: 1e9 })).text,
    tooLarge: (await wire.call('storage.set', { key: 'k', value: 'x'.repeat(2 * 1024 * 1024) }))
      .text,
  };
  await wire.send({ kind: 'bogus', id: wire.takeId() }, [], 1500);
  await wire.send('a string');
  await wire.send(42);
  await wire.send(null);
  results.unmatchedErrors = wire.unmatchedErrors;
  results.afterwards = (await wire.call('session.info')).text;
  await wire.report('unknown methods', results);
})();
