/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * Harmless: the test runs escapes in its frame's document (forged messages, navigation, pop-ups,
 * forms, downloads) and clicks its button to prove the plugin still answers afterwards.
 */
(async () => {
  let clicks = 0;
  const draw = () =>
    wire.report('frame target', { clicks }, [{ type: 'button', id: 'count', label: 'Count' }]);
  wire.onEvent((event) => {
    if (event.event === 'ui.click' && event.id === 'count') {
      clicks++;
      void draw();
    }
  });
  await draw();
})();
