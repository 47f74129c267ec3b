/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * HTML in every string of the view tree (images, prefetch and preconnect links, a stylesheet,
 * a meta refresh, a link): it must be shown as text, never parsed. Then node types and
 * properties that do not exist (raw HTML, an image, an iframe, a style): refused or ignored,
 * never rendered.
 */
(async () => {
  const target = '__LISTENER__';
  const html =
    `<img src="${target}/view-img.png"><link rel="prefetch" href="${target}/view-prefetch">` +
    `<link rel="preconnect" href="${target}"><link rel="stylesheet" href="${target}/view.css">` +
    `<style>@import url(${target}/view-import.css)</style><meta http-equiv="refresh" content="0;url=${target}/view-refresh">` +
    `<a href="${target}/view-link">view link</a>`;
  // Labels, ids and values are short strings (at most 200 characters): one tag each.
  const tag = `<img src="${target}/view-label.png">`;
  const strings = [
    { type: 'text', text: html },
    { type: 'text', text: html, style: 'heading' },
    { type: 'button', id: 'b', label: tag },
    { type: 'checkbox', id: 'c', label: tag, checked: false },
    { type: 'input', id: 'i', label: tag, inputType: 'text', value: tag },
    { type: 'select', id: 's', label: tag, options: [{ value: tag, label: tag }] },
    { type: 'table', columns: [tag], rows: [[html]] },
  ];
  const invented = {
    html: (await wire.call('ui.render', { view: { type: 'html', html } })).text,
    image: (
      await wire.call('ui.render', { view: { type: 'image', src: `${target}/view-image.png` } })
    ).text,
    iframe: (
      await wire.call('ui.render', { view: { type: 'iframe', src: `${target}/view-iframe` } })
    ).text,
    style: (
      await wire.call('ui.render', {
        view: { type: 'text', text: 'styled', style: `background: url(${target}/view-style.png)` },
      })
    ).text,
    extraProperty: (
      await wire.call('ui.render', {
        view: { type: 'stack', children: [], innerHTML: html, srcdoc: html },
      })
    ).text,
  };
  const drawn = await wire.report('view tree', invented, [{ type: 'stack', children: strings }]);
  // Should the strings be refused, say so instead of leaving the panel empty.
  if (drawn.text !== 'ok') await wire.report('view tree', { ...invented, strings: drawn.text });
})();
