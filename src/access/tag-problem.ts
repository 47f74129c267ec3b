/**
 * The client-side check of a new `key=value` tag, with the server's own rules: keys and values
 * of letters, digits and `_ . : -`, starting with a letter or digit, at most 64 characters, and
 * at most 20 tags on a resource. The server checks again.
 */

const tagPartPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const maxTagPartLength = 64;
const maxTags = 20;

function partProblem(part: string, name: 'key' | 'value'): string | null {
  if (!part) return `Enter a ${name}.`;
  if (part.length > maxTagPartLength) {
    return `The ${name} is longer than ${maxTagPartLength} characters.`;
  }
  if (!tagPartPattern.test(part)) {
    return `The ${name} may hold only letters, digits and _ . : - and must start with a letter or digit.`;
  }
  return null;
}

/**
 * What is wrong with adding `key=value` to `tags`, or null when nothing is. An existing key is
 * fine: its value is replaced.
 *
 * @example
 * tagProblem({}, 'sensitivity', 'restricted'); // null
 * tagProblem({}, 'needs review', 'yes'); // 'The key may hold only letters, …'
 */
export function tagProblem(tags: Record<string, string>, key: string, value: string) {
  const problem = partProblem(key, 'key') ?? partProblem(value, 'value');
  if (problem) return problem;
  if (!(key in tags) && Object.keys(tags).length >= maxTags) {
    return `A resource carries at most ${maxTags} tags; remove one first.`;
  }
  return null;
}
