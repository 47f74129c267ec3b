/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* The second plugin: reads the first one's secret under every key it can think of, and listens. */
(async () => {
  const owner = 'e2e.hostile.storage-owner';
  const read = async (key) => {
    const outcome = await wire.call('storage.get', { key });
    return outcome.result ? outcome.result.value : outcome.text;
  };
  const heard = [];
  const channel = new BroadcastChannel('enclave-plugins');
  channel.onmessage = (event) => heard.push(String(event.data));
  const results = {
    secret: await read('secret'),
    prefixed: await read(`${owner}:secret`),
    path: await read(`${owner}/secret`),
    traversal: await read(`../${owner}/secret`),
    proto: await read('__proto__'),
  };
  await new Promise((resolve) => setTimeout(resolve, 1500));
  results.broadcast = heard.length === 0 ? 'nothing' : `reached: ${heard[0]}`;
  await wire.report('storage thief', results);
})();
