/**
 * What SVG a plugin may show, as pure data and predicates (DOMPurify needs a DOM, these do not,
 * so they are tested here and applied by `svg-sanitiser.ts`). The frame's CSP already refuses
 * every load, but markup must not even try one: no script, no `<foreignObject>` (HTML inside
 * SVG), no `<use>` (DOMPurify drops it too), no reference that leaves the document (`href` only
 * as `#id`, CSS `url()` only as `url(#id)` in presentation attributes and never in `style`), no
 * event handler attributes, no animation elements (they can rewrite attributes after sanitising).
 */

/** The DOMPurify configuration (SVG profile) the runtime sanitises with. */
export const SVG_PURIFY_CONFIG = {
  USE_PROFILES: { svg: true, svgFilters: true },
  FORBID_TAGS: [
    'script',
    'foreignObject',
    'iframe',
    'a',
    'image',
    'feImage',
    'use',
    'animate',
    'animateColor',
    'animateMotion',
    'animateTransform',
    'set',
    'discard',
    'mpath',
  ],
  FORBID_ATTR: ['xml:base', 'xmlns:xlink'],
  ALLOW_DATA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  RETURN_DOM_FRAGMENT: true,
} as const;

/** Attributes whose value is a URL. */
const REFERENCE_ATTRIBUTES = new Set(['href', 'xlink:href', 'src', 'action', 'formaction']);

/** A reference to an element of the same SVG document: `#` and an XML name. */
const FRAGMENT_REFERENCE = /^#[A-Za-z_][\w.:-]*$/;

/** `url(#id)`, `url('#id')` or `url("#id")`, with optional blanks. */
const FRAGMENT_URL = /url\(\s*(['"]?)#[A-Za-z_][\w.:-]*\1\s*\)/gi;

/**
 * Whether `value` refers to an element of the same document (`#id`) and nothing else.
 *
 * @example
 * isFragmentReference('#clip1'); // true
 * isFragmentReference('https://example.org/#x'); // false
 */
export function isFragmentReference(value: string): boolean {
  return FRAGMENT_REFERENCE.test(value);
}

/**
 * Whether CSS text (a `style` attribute or element) is safe: no `url(`, no `@import`, no
 * `image-set`, and no backslash (a CSS escape could spell any of them).
 *
 * @example
 * isSafeStyle('fill: red'); // true
 * isSafeStyle('background: url(https://evil.test/x)'); // false
 */
export function isSafeStyle(css: string): boolean {
  return !/url\s*\(|@import|image-set|expression\s*\(|\\/i.test(css);
}

/**
 * Whether an attribute value's only URLs are `url(#id)` references (as Vega writes for clip
 * paths and gradients), with no backslash that could hide another.
 *
 * @example
 * isSafePresentationValue('url(#clip1)'); // true
 * isSafePresentationValue('url(https://evil.test/x.svg#f)'); // false
 */
export function isSafePresentationValue(value: string): boolean {
  if (value.includes('\\')) return false;
  return !/url\s*\(/i.test(value.replace(FRAGMENT_URL, ''));
}

/**
 * Whether an attribute may stay on a sanitised SVG element (DOMPurify has already applied its
 * own allow-list; this is the runtime's stricter pass).
 *
 * @example
 * keepSvgAttribute('xlink:href', '#glyph'); // true
 * keepSvgAttribute('onload', 'x()'); // false
 */
export function keepSvgAttribute(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (lower.startsWith('on')) return false;
  if (REFERENCE_ATTRIBUTES.has(lower) || lower.endsWith(':href')) return isFragmentReference(value);
  if (lower === 'style') return isSafeStyle(value);
  if (lower === 'xml:base' || lower.startsWith('xmlns:')) return false;
  return isSafePresentationValue(value);
}
