/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * SVG markup with every external reference and active part SVG allows: images, style url() and
 * @font-face, <use>, a filter image, foreignObject with HTML, scripts, a link, animations that
 * set an href. Drawn once with ui.svg and once as a view-tree node; the sanitiser must leave
 * nothing that reaches the listener or runs.
 */
(async () => {
  const target = '__LISTENER__';
  const markup = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" height="120" viewBox="0 0 300 120">
  <style>
    @import url(${target}/svg-import.css);
    @font-face { font-family: leak; src: url(${target}/svg-font.woff2); }
    text { font-family: leak; }
    rect { fill: url(${target}/svg-style-fill.svg#paint); }
    .backdrop { background-image: url(${target}/svg-style-background.png); }
  </style>
  <defs><filter id="f"><feImage href="${target}/svg-fe-image.png"/></filter></defs>
  <image href="${target}/svg-image.png" width="10" height="10"/>
  <image xlink:href="${target}/svg-xlink-image.png" x="10" width="10" height="10"/>
  <use href="${target}/svg-use.svg#shape"/>
  <rect class="backdrop" x="20" width="10" height="10" style="fill: url(${target}/svg-inline-style.png)" filter="url(#f)"/>
  <foreignObject x="40" width="100" height="40"><div xmlns="http://www.w3.org/1999/xhtml"><img src="${target}/svg-foreign-img.png"/><iframe src="${target}/svg-foreign-iframe"></iframe></div></foreignObject>
  <script>fetch('${target}/svg-inline-script')</script>
  <script href="${target}/svg-script.js"></script>
  <a href="${target}/svg-link"><text x="10" y="60">svg link</text></a>
  <a href="#top"><set attributeName="href" to="${target}/svg-set-href"/><animate attributeName="href" values="${target}/svg-animate-href"/><text x="10" y="80">animated link</text></a>
  <text x="10" y="100" onclick="fetch('${target}/svg-onclick')">svg drawn</text>
</svg>`;
  const viaSvg = await wire.call('ui.svg', { markup });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await wire.report('SVG', { uiSvg: viaSvg.text }, [{ type: 'svg', markup }]);
})();
