/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * Messages built to pollute the host's prototypes: `__proto__` and `constructor` as own keys
 * (JSON.parse makes them own properties, and structured clone keeps them), and as method names.
 * An object-path RPC such as comlink's would write through them; the broker must not.
 */
(async () => {
  const forged = (id, json) => wire.send(JSON.parse(json.replace('$ID', String(id))));
  const results = {
    protoParams: (
      await forged(
        wire.takeId(),
        '{"kind":"call","id":$ID,"method":"session.info","params":{"__proto__":{"polluted":"yes"}}}',
      )
    ).text,
    constructorParams: (
      await forged(
        wire.takeId(),
        '{"kind":"call","id":$ID,"method":"storage.get","params":{"key":"k","constructor":{"prototype":{"polluted":"yes"}}}}',
      )
    ).text,
    protoInTitle: (
      await forged(
        wire.takeId(),
        '{"kind":"call","id":$ID,"method":"ui.setTitle","params":{"title":"t","__proto__":{"title":"polluted","polluted":"yes"}}}',
      )
    ).text,
    protoColumns: (
      await wire.call(
        'data.read',
        JSON.parse('{"columns":["__proto__","constructor","prototype"]}'),
      )
    ).text,
    protoKey: (await wire.call('storage.get', { key: '__proto__' })).text,
    methodProto: (await wire.call('__proto__')).text,
    methodConstructor: (await wire.call('constructor')).text,
    methodToString: (await wire.call('toString')).text,
    methodHasOwnProperty: (await wire.call('hasOwnProperty')).text,
    methodPath: (await wire.call('storage.__proto__.polluted')).text,
    protoMessage: (
      await wire.send(
        JSON.parse('{"__proto__":{"kind":"call","id":9001,"method":"session.info","params":{}}}'),
      )
    ).text,
    protoPong: (
      await wire.send(JSON.parse('{"kind":"pong","seq":1,"__proto__":{"polluted":"yes"}}'))
    ).text,
  };
  results.afterwards = (await wire.call('session.info')).text;
  results.pollutedHere = typeof {}.polluted;
  await wire.report('prototype keys', results);
})();
