/**
 * Finds where a line that `JSON.parse` refused goes wrong, so the error can name a column:
 * engines word their JSON errors differently and not all give a position. A small validating
 * scanner, run only on the failing line; it keeps its own stack so deep nesting cannot
 * overflow the call stack.
 */

export interface JsonErrorPlace {
  /** 1-based column (UTF-16 code unit) where the text stops being JSON. */
  readonly column: number;
  /** What is wrong there, for a person. */
  readonly problem: string;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function describe(text: string, at: number): string {
  if (at >= text.length) return 'the line ends too early';
  const char = text.codePointAt(at)!;
  const shown = String.fromCodePoint(char);
  return char < 0x20
    ? `unexpected control character U+${char.toString(16).padStart(4, '0')}`
    : `unexpected "${shown}"`;
}

/** The end of the string starting at the quote at `at`, or the place of its fault. */
function scanString(text: string, at: number): number | JsonErrorPlace {
  for (let k = at + 1; k < text.length; k++) {
    const char = text.charCodeAt(k);
    if (char === 0x22) return k + 1;
    if (char < 0x20)
      return {
        column: k + 1,
        problem: 'a string holds a raw control character (write it as \\n, \\t …)',
      };
    if (char === 0x5c) {
      const next = text.charCodeAt(k + 1);
      if (next === 0x75) {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(k + 2, k + 6))) {
          return { column: k + 1, problem: 'a \\u escape needs four hexadecimal digits' };
        }
        k += 5;
      } else if ('"\\/bfnrt'.includes(text[k + 1] ?? '')) {
        k++;
      } else {
        return { column: k + 1, problem: 'a string holds an unknown escape' };
      }
    }
  }
  return { column: at + 1, problem: 'a string is not closed' };
}

/**
 * Where and why `line` is not one JSON value (null if it is).
 *
 * @example
 * locateJsonError('{"a": tru}'); // { column: 7, problem: 'unexpected "t"' }
 */
export function locateJsonError(line: string): JsonErrorPlace | null {
  // What each open container expects next: a value, a key, or a separator.
  const stack: ('object' | 'array')[] = [];
  let expect: 'value' | 'key' | 'after-value' | 'colon' | 'first-key' | 'first-value' = 'value';
  let at = 0;
  const skip = () => {
    while (at < line.length && WHITESPACE.has(line.charCodeAt(at))) at++;
  };
  for (;;) {
    skip();
    const char = line.charCodeAt(at);
    if (expect === 'after-value') {
      const open = stack.at(-1);
      if (open === undefined) {
        return at >= line.length
          ? null
          : { column: at + 1, problem: `${describe(line, at)} after the end of the value` };
      }
      if (char === 0x2c) {
        expect = open === 'object' ? 'key' : 'value';
        at++;
      } else if ((char === 0x7d && open === 'object') || (char === 0x5d && open === 'array')) {
        stack.pop();
        at++;
      } else {
        const wanted = open === 'object' ? '"," or "}"' : '"," or "]"';
        return { column: at + 1, problem: `${describe(line, at)} where ${wanted} should be` };
      }
      continue;
    }
    if (expect === 'colon') {
      if (char !== 0x3a)
        return { column: at + 1, problem: `${describe(line, at)} where ":" should be` };
      at++;
      expect = 'value';
      continue;
    }
    if (expect === 'key' || expect === 'first-key') {
      if (expect === 'first-key' && char === 0x7d) {
        stack.pop();
        at++;
        expect = 'after-value';
        continue;
      }
      if (char !== 0x22)
        return { column: at + 1, problem: `${describe(line, at)} where a quoted key should be` };
      const end = scanString(line, at);
      if (typeof end !== 'number') return end;
      at = end;
      expect = 'colon';
      continue;
    }
    // A value is expected.
    if (expect === 'first-value' && char === 0x5d) {
      stack.pop();
      at++;
      expect = 'after-value';
      continue;
    }
    if (char === 0x7b) {
      stack.push('object');
      at++;
      expect = 'first-key';
    } else if (char === 0x5b) {
      stack.push('array');
      at++;
      expect = 'first-value';
    } else if (char === 0x22) {
      const end = scanString(line, at);
      if (typeof end !== 'number') return end;
      at = end;
      expect = 'after-value';
    } else if (line.startsWith('true', at) || line.startsWith('null', at)) {
      at += 4;
      expect = 'after-value';
    } else if (line.startsWith('false', at)) {
      at += 5;
      expect = 'after-value';
    } else {
      NUMBER.lastIndex = at;
      if (!NUMBER.test(line)) return { column: at + 1, problem: describe(line, at) };
      at = NUMBER.lastIndex;
      expect = 'after-value';
    }
  }
}
