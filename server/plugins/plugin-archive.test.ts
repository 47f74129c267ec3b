import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PluginArchiveError, readPluginArchive } from './plugin-archive.ts';
import { pluginZip, testPlugin } from './testing.ts';

function refusal(zip: Uint8Array): { status: number; code: string; message: string } {
  try {
    readPluginArchive(zip);
  } catch (error) {
    if (error instanceof PluginArchiveError) {
      return { status: error.status, code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('the archive was accepted');
}

const encoder = new TextEncoder();

describe('readPluginArchive', () => {
  it('reads a plugin at the root or in one top folder', () => {
    const plugin = testPlugin();
    for (const zip of [pluginZip(plugin), pluginZip(plugin, { folder: 'test-plugin' })]) {
      const archive = readPluginArchive(zip);
      expect(archive.manifest.id).toBe('test.plugin');
      expect([...archive.files.keys()].sort()).toEqual(['chunks/helper.js', 'worker.js']);
      expect(archive.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('refuses a body that is not a zip', () => {
    expect(refusal(encoder.encode('not a zip'))).toMatchObject({
      status: 400,
      code: 'invalid_archive',
    });
  });

  it('refuses an archive without a manifest where it belongs', () => {
    const plugin = testPlugin();
    expect(
      refusal(
        zipSync({
          'a/worker.js': plugin.files['worker.js']!,
          'b/manifest.json': encoder.encode('{}'),
        }),
      ),
    ).toMatchObject({
      status: 400,
      message: 'The archive has no manifest.json at its root or in its one top folder.',
    });
  });

  it.each(['../evil.js', 'a/../../evil.js', '/etc/cron.d/evil', 'a\\..\\evil.js', 'C:/evil.js'])(
    'refuses the entry %j before reading it',
    (name) => {
      const zip = zipSync({ ...Object.fromEntries([[name, encoder.encode('evil')]]) });
      const answer = refusal(zip);
      expect(answer).toMatchObject({ status: 400, code: 'invalid_archive' });
      expect(answer.message).toContain(`Entry ${JSON.stringify(name)}`);
    },
  );

  it('refuses a bad manifest with the field and reason', () => {
    const plugin = testPlugin({ manifest: { permissions: ['net:fetch'] } });
    expect(refusal(pluginZip(plugin))).toEqual({
      status: 400,
      code: 'invalid_manifest',
      message: 'Invalid manifest.json: permissions[0]: unknown permission "net:fetch"',
    });
  });

  it('refuses a file whose hash does not match, naming it (422)', () => {
    const plugin = testPlugin();
    plugin.files['chunks/helper.js'] = encoder.encode('export const answer = 666;\n');
    const answer = refusal(pluginZip(plugin));
    expect(answer).toMatchObject({ status: 422, code: 'file_mismatch' });
    expect(answer.message).toMatch(
      /^chunks\/helper\.js: its SHA-256 is [0-9a-f]{64}, but manifest\.json says/,
    );
  });

  it('refuses a missing and an extra file, naming it (422)', () => {
    const missing = testPlugin();
    delete missing.files['chunks/helper.js'];
    expect(refusal(pluginZip(missing))).toMatchObject({
      status: 422,
      message: 'chunks/helper.js: listed in manifest.json but missing from the plugin.',
    });
    const extra = testPlugin();
    extra.files['payload.js'] = encoder.encode('evil');
    expect(refusal(pluginZip(extra))).toMatchObject({
      status: 422,
      message: 'payload.js: not listed in manifest.json\'s "files".',
    });
  });

  it('stops a zip bomb while inflating: one file', () => {
    // 30 MB of zeros deflate to about 30 kB.
    const zip = zipSync(
      { 'manifest.json': encoder.encode('{}'), 'bomb.bin': new Uint8Array(30 * 1024 * 1024) },
      { level: 9 },
    );
    expect(zip.byteLength).toBeLessThan(100_000);
    const answer = refusal(zip);
    expect(answer).toMatchObject({ status: 422, code: 'archive_too_large' });
    expect(answer.message).toContain('bomb.bin: unpacks to more than 20971520 bytes');
  });

  it('stops a zip bomb while inflating: many files, and too many entries', () => {
    const files = Object.fromEntries(
      Array.from({ length: 3 }, (_, index) => [
        `part-${String(index)}.bin`,
        new Uint8Array(19 * 1024 * 1024),
      ]),
    );
    expect(refusal(zipSync(files, { level: 9 }))).toMatchObject({
      status: 422,
      message: 'The archive unpacks to more than 52428800 bytes, the limit for one plugin.',
    });
    const many = Object.fromEntries(
      Array.from({ length: 500 }, (_, index) => [`f${String(index)}.js`, encoder.encode('x')]),
    );
    expect(refusal(zipSync(many))).toMatchObject({ status: 422, code: 'archive_too_large' });
  });
});
