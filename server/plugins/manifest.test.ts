import { describe, expect, it } from 'vitest';
import { ManifestError, filePathProblem, parseManifest, parseManifestBytes } from './manifest.ts';
import { testPlugin } from './testing.ts';

function problemsOf(value: unknown): readonly string[] {
  try {
    parseManifest(value);
  } catch (error) {
    if (error instanceof ManifestError) return error.problems;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

const valid = () => structuredClone(testPlugin().manifest);

describe('parseManifest', () => {
  it('accepts a valid manifest, with a null-prototype file table', () => {
    const manifest = parseManifest(valid());
    expect(manifest).toMatchObject({ id: 'test.plugin', version: '1.0.0', entry: 'worker.js' });
    expect(Object.getPrototypeOf(manifest.files)).toBeNull();
    expect(Object.keys(manifest.files)).toEqual(['worker.js', 'chunks/helper.js']);
  });

  it('names the exact field and reason', () => {
    expect(problemsOf({ ...valid(), permissions: ['data:read', 'ui:panel', 'net:fetch'] })).toEqual(
      ['permissions[2]: unknown permission "net:fetch"'],
    );
    expect(problemsOf({ ...valid(), version: '1.0' })).toEqual([
      'version: must be a version x.y.z, e.g. "1.0.0"',
    ]);
    expect(problemsOf({ ...valid(), id: 'Not An Id' })).toEqual([
      'id: must be dotted lower-case words, e.g. "org.example.chart"',
    ]);
    const withoutName: Record<string, unknown> = valid();
    delete withoutName.name;
    expect(problemsOf(withoutName)).toEqual(['name: is required']);
    expect(problemsOf({ ...valid(), entry: 'missing.js' })).toEqual([
      'entry: must be one of the files listed in "files" (got "missing.js")',
    ]);
    expect(problemsOf({ ...valid(), files: { 'worker.js': 'abc' } })).toEqual([
      'files["worker.js"]: must be the SHA-256 of the file as 64 lower-case hex digits',
    ]);
    expect(problemsOf({ ...valid(), permissions: ['ui:panel', 'ui:panel'] })).toEqual([
      'permissions: lists a permission more than once',
    ]);
  });

  it('refuses unknown fields, __proto__ and constructor included', () => {
    expect(problemsOf({ ...valid(), homepage: 'https://example.org' })).toEqual([
      'homepage: unknown field',
    ]);
    const hostile = JSON.parse(
      `{"__proto__": {"polluted": true}, ${JSON.stringify(valid()).slice(1)}`,
    ) as unknown;
    expect(problemsOf(hostile)).toEqual(['__proto__: unknown field']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(problemsOf({ ...valid(), constructor: 'x' })).toEqual(['constructor: unknown field']);
  });

  it('refuses a __proto__ file path without touching any prototype', () => {
    const manifest = valid() as { files: Record<string, string> };
    const text = JSON.stringify(manifest).replace(
      '"files":{',
      `"files":{"__proto__":"${'a'.repeat(64)}",`,
    );
    expect(problemsOf(JSON.parse(text))).toEqual([
      'files["__proto__"]: file path must not use the reserved names __proto__, constructor or prototype',
    ]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each([
    ['../secret.js', 'must not contain ".." or "." segments'],
    ['chunks/../../secret.js', 'must not contain ".." or "." segments'],
    ['/etc/passwd', 'must be relative (no leading "/")'],
    ['C:/windows/win.ini', 'must be relative (no drive letter)'],
    ['chunks\\evil.js', 'must use "/" as separator (no "\\")'],
    ['chunks//a.js', 'must not contain empty segments'],
    [
      '.hidden.js',
      'segments may hold only letters, digits, ".", "_" and "-" and must not start with "."',
    ],
    [
      'a b.js',
      'segments may hold only letters, digits, ".", "_" and "-" and must not start with "."',
    ],
    ['manifest.json', 'must not list manifest.json itself'],
  ])('refuses the file path %j', (filePath, reason) => {
    expect(filePathProblem(filePath)).toBe(reason);
    const manifest = valid() as { files: Record<string, string> };
    manifest.files[filePath] = 'a'.repeat(64);
    expect(problemsOf(manifest)).toEqual([
      `files[${JSON.stringify(filePath)}]: file path ${reason}`,
    ]);
  });

  it('refuses more than 200 files and a huge manifest', () => {
    const manifest = valid() as { files: Record<string, string> };
    for (let index = 0; index < 201; index += 1)
      manifest.files[`f${String(index)}.js`] = 'a'.repeat(64);
    expect(problemsOf(manifest)).toEqual(['files: must list at most 200 files (got 203)']);
    const huge = new TextEncoder().encode(
      JSON.stringify({ ...valid(), description: 'x'.repeat(300_000) }),
    );
    expect(() => parseManifestBytes(huge)).toThrow('manifest: must be at most 262144 bytes');
  });

  it('refuses bytes that are not UTF-8 JSON', () => {
    expect(() => parseManifestBytes(new Uint8Array([0xff, 0xfe]))).toThrow(ManifestError);
    expect(() => parseManifestBytes(new TextEncoder().encode('[1, 2'))).toThrow(
      /manifest: is not valid UTF-8 JSON/,
    );
  });
});
