import { describe, expect, it } from 'vitest';
import {
  SVG_PURIFY_CONFIG,
  isFragmentReference,
  isSafePresentationValue,
  isSafeStyle,
  keepSvgAttribute,
} from './svg-rules.ts';

describe('SVG_PURIFY_CONFIG', () => {
  it('uses the SVG profile and forbids the elements that escape it', () => {
    expect(SVG_PURIFY_CONFIG.USE_PROFILES).toEqual({ svg: true, svgFilters: true });
    for (const tag of [
      'script',
      'foreignObject',
      'iframe',
      'a',
      'image',
      'feImage',
      'animate',
      'set',
    ]) {
      expect(SVG_PURIFY_CONFIG.FORBID_TAGS).toContain(tag);
    }
    expect(SVG_PURIFY_CONFIG.RETURN_DOM_FRAGMENT).toBe(true);
  });
});

describe('isFragmentReference', () => {
  it.each(['#a', '#clip1', '#glyph_0.5', '#x-y:z'])('allows %s', (value) => {
    expect(isFragmentReference(value)).toBe(true);
  });
  it.each([
    '',
    '#',
    'https://evil.test/x.svg#a',
    '//evil.test/#a',
    'javascript:alert(1)',
    'data:image/svg+xml,<svg/>',
    ' #a',
    '#a b',
    '#a\n',
    '#1a',
    'x.svg#a',
  ])('refuses %j', (value) => {
    expect(isFragmentReference(value)).toBe(false);
  });
});

describe('isSafeStyle', () => {
  it('allows plain declarations', () => {
    expect(isSafeStyle('fill: #123; stroke-width: 2px; font: 12px sans-serif')).toBe(true);
  });
  it.each([
    'background: url(https://evil.test/x)',
    'background: URL ( "//evil.test" )',
    'fill: url(#gradient)',
    '@import "https://evil.test/x.css";',
    'background: image-set("x.png" 1x)',
    'background: u\\72l(https://evil.test)',
    'width: expression(alert(1))',
  ])('refuses %j', (css) => {
    expect(isSafeStyle(css)).toBe(false);
  });
});

describe('isSafePresentationValue', () => {
  it.each(['url(#clip1)', "url('#grad')", 'url( "#g" )', 'red', 'M0 0L10 10'])(
    'allows %j',
    (value) => {
      expect(isSafePresentationValue(value)).toBe(true);
    },
  );
  it.each([
    'url(https://evil.test/f.svg#f)',
    'url(#ok) url(//evil.test/x)',
    'url("#ok\') url(x)',
    'u\\rl(//evil.test)',
    'URL(data:image/png;base64,AAAA)',
  ])('refuses %j', (value) => {
    expect(isSafePresentationValue(value)).toBe(false);
  });
});

describe('keepSvgAttribute', () => {
  it('keeps ordinary attributes and same-document references', () => {
    expect(keepSvgAttribute('d', 'M0 0L1 1')).toBe(true);
    expect(keepSvgAttribute('clip-path', 'url(#clip0)')).toBe(true);
    expect(keepSvgAttribute('href', '#marker')).toBe(true);
    expect(keepSvgAttribute('xlink:href', '#marker')).toBe(true);
    expect(keepSvgAttribute('style', 'fill: red')).toBe(true);
  });
  it.each([
    ['onload', 'alert(1)'],
    ['ONCLICK', 'x()'],
    ['onbegin', 'x()'],
    ['href', 'https://evil.test/'],
    ['xlink:href', 'javascript:alert(1)'],
    ['XLINK:HREF', 'data:text/html,x'],
    ['src', 'https://evil.test/'],
    ['style', 'background:url(//evil.test)'],
    ['fill', 'url(https://evil.test/p.svg#p)'],
    ['filter', 'url(//evil.test/f.svg#f)'],
    ['xml:base', 'https://evil.test/'],
    ['xmlns:xlink', 'http://www.w3.org/1999/xlink'],
  ])('drops %s=%j', (name, value) => {
    expect(keepSvgAttribute(name, value)).toBe(false);
  });
});
