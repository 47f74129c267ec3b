/**
 * Sanitises a plugin's SVG markup with DOMPurify (SVG profile) plus the runtime's stricter rules
 * from `svg-rules.ts`, and returns nodes to append: the markup never passes through `innerHTML`
 * of the frame's document.
 */
import DOMPurify from 'dompurify';
import { SVG_PURIFY_CONFIG, isSafeStyle, keepSvgAttribute } from './svg-rules.ts';

const purify = DOMPurify(window);

purify.addHook('uponSanitizeAttribute', (_node, data) => {
  if (!keepSvgAttribute(data.attrName, data.attrValue)) data.keepAttr = false;
});

purify.addHook('uponSanitizeElement', (node, data) => {
  if (data.tagName === 'style' && !isSafeStyle(node.textContent ?? '')) node.textContent = '';
});

/**
 * The sanitised SVG of `markup` as a fragment; whatever the rules refuse is gone from it.
 *
 * @example
 * container.replaceChildren(sanitizeSvg(view.markup));
 */
export function sanitizeSvg(markup: string): DocumentFragment {
  return purify.sanitize(markup, {
    ...SVG_PURIFY_CONFIG,
    USE_PROFILES: { ...SVG_PURIFY_CONFIG.USE_PROFILES },
    FORBID_TAGS: [...SVG_PURIFY_CONFIG.FORBID_TAGS],
    FORBID_ATTR: [...SVG_PURIFY_CONFIG.FORBID_ATTR],
  });
}
