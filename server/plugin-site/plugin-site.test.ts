/**
 * The plugin site over real HTTP, beside the API: the single-use frame document, files checked
 * on every serve, the runtime, and the plugin CSP on every response, refusals included.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginZip, testPlugin, writePluginFolder } from '../plugins/testing.ts';
import { schema } from '../store/index.ts';
import type { DemoUser } from '../test-api.ts';
import { PLUGIN_SITE_DEFAULT_CSP, documentCsp, fileCsp, frameDocument } from './plugin-site.ts';
import { startPluginTestServers, type PluginTestServers } from './testing.ts';

let servers: PluginTestServers;
let pluginsDir: string;
let runtimeDir: string;
const responses: Response[] = [];

async function site(pathname: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(`${servers.siteUrl}${pathname}`, init);
  responses.push(response);
  return response;
}

async function launch(user: DemoUser, pluginId: string): Promise<string> {
  const { api } = servers;
  const plugin = await api.call(user, 'GET', `/plugins/${pluginId}`);
  await api.call(user, 'PUT', `/plugins/${pluginId}/consent`, {
    permissions: plugin.body.permissions,
  });
  const launched = await api.call(user, 'POST', `/plugins/${pluginId}/launch`, {});
  expect(launched.status).toBe(201);
  return launched.body.instanceId as string;
}

/** A launched instance whose document was served, as the host's frame would have it. */
async function running(user: DemoUser, pluginId: string): Promise<string> {
  const instanceId = await launch(user, pluginId);
  expect((await site(`/i/${instanceId}/`)).status).toBe(200);
  return instanceId;
}

async function latestAudit(action: string) {
  const [event] = await servers.api.server.store.db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.action, action))
    .orderBy(desc(schema.auditEvents.seq))
    .limit(1);
  return event;
}

beforeAll(async () => {
  pluginsDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-plugin-site-'));
  runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-plugin-runtime-'));
  await writeFile(path.join(runtimeDir, 'enclave-runtime.js'), '/* fake runtime */\n');
  await writeFile(path.join(runtimeDir, 'enclave-runtime.css'), 'body { margin: 0 }\n');
  await writePluginFolder(pluginsDir, testPlugin({ id: 'test.bundled' }));
  await writePluginFolder(pluginsDir, testPlugin({ id: 'test.changing' }));
  servers = await startPluginTestServers({ pluginsDir, runtimeDir });
  const uploaded = await servers.api.call(
    'alice',
    'POST',
    '/plugins',
    pluginZip(testPlugin({ id: 'test.uploaded' })),
    { 'content-type': 'application/zip' },
  );
  expect(uploaded.status).toBe(201);
}, 60_000);
afterAll(async () => {
  await servers?.close();
  await rm(pluginsDir, { recursive: true, force: true });
  await rm(runtimeDir, { recursive: true, force: true });
});

describe('the frame document', () => {
  it('is generated for the instance, served once, under the document CSP', async () => {
    const instanceId = await launch('bob', 'test.bundled');
    const first = await site(`/i/${instanceId}/`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await first.text()).toBe(frameDocument(instanceId, 'worker.js'));
    expect(first.headers.get('content-security-policy')).toBe(
      documentCsp(servers.pluginOrigin, new URL(servers.api.server.url).origin, instanceId),
    );
    expect(first.headers.get('content-security-policy')).toBe(
      `sandbox allow-scripts; default-src 'none'; script-src ${servers.pluginOrigin}/runtime/enclave-runtime.js ` +
        `${servers.pluginOrigin}/i/${instanceId}/files/; ` +
        `style-src ${servers.pluginOrigin}/runtime/enclave-runtime.css; img-src data: blob:; ` +
        `worker-src blob:; connect-src 'none'; form-action 'none'; ` +
        `frame-src 'none'; child-src 'none'; base-uri 'none'; frame-ancestors ${new URL(servers.api.server.url).origin}`,
    );
    const second = await site(`/i/${instanceId}/`);
    expect(second.status).toBe(404);
    expect(second.headers.get('content-security-policy')).toBe(PLUGIN_SITE_DEFAULT_CSP);
  });

  it('is not used up by a HEAD', async () => {
    const instanceId = await launch('bob', 'test.bundled');
    expect((await site(`/i/${instanceId}/`, { method: 'HEAD' })).status).toBe(404);
    expect((await site(`/i/${instanceId}/`)).status).toBe(200);
  });

  it('is refused a minute after the launch', async () => {
    const instanceId = await launch('bob', 'test.bundled');
    await servers.api.server.store.db
      .update(schema.pluginInstances)
      .set({ createdAt: new Date(Date.now() - 61_000) })
      .where(eq(schema.pluginInstances.id, instanceId));
    expect((await site(`/i/${instanceId}/`)).status).toBe(404);
  });

  it('is refused for a made-up or malformed instance id', async () => {
    expect((await site(`/i/${'A'.repeat(43)}/`)).status).toBe(404);
    expect((await site('/i/short/')).status).toBe(404);
  });
});

describe("an instance's files", () => {
  it('are served after the document, with the file CSP and their content type', async () => {
    const launched = await launch('bob', 'test.bundled');
    expect((await site(`/i/${launched}/files/worker.js`)).status).toBe(404);
    expect((await site(`/i/${launched}/`)).status).toBe(200);
    const worker = await site(`/i/${launched}/files/worker.js`);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(worker.headers.get('content-security-policy')).toBe(
      fileCsp(servers.pluginOrigin, launched),
    );
    expect(worker.headers.get('content-security-policy')).toBe(
      `sandbox allow-scripts; default-src 'none'; script-src ${servers.pluginOrigin}/i/${launched}/files/; ` +
        "connect-src 'none'; worker-src 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(await worker.text()).toContain("import './chunks/helper.js'");
    expect((await site(`/i/${launched}/files/chunks/helper.js`)).status).toBe(200);
    const uploaded = await running('bob', 'test.uploaded');
    expect((await site(`/i/${uploaded}/files/chunks/helper.js`)).status).toBe(200);
  });

  it('refuses anything but the listed files, and escapes out of the folder', async () => {
    const instanceId = await running('bob', 'test.bundled');
    for (const pathname of [
      `/i/${instanceId}/files/manifest.json`,
      `/i/${instanceId}/files/%2e%2e/%2e%2e/manifest.json`,
      `/i/${instanceId}/files/chunks%2Fhelper.js`,
      `/i/${instanceId}/files/.%2F..%2Fmanifest.json`,
      `/i/${instanceId}/files/`,
      `/i/${instanceId}/files/nothing.js`,
    ]) {
      const response = await site(pathname);
      expect(response.status, pathname).toBe(404);
    }
  });

  it("refuses another instance's files once it ended", async () => {
    const instanceId = await running('bob', 'test.bundled');
    expect(
      (await servers.api.call('bob', 'DELETE', `/plugin-instances/${instanceId}`)).status,
    ).toBe(204);
    expect((await site(`/i/${instanceId}/files/worker.js`)).status).toBe(404);
  });

  it('refuses the files of an expired instance', async () => {
    const instanceId = await running('bob', 'test.bundled');
    await servers.api.server.store.db
      .update(schema.pluginInstances)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.pluginInstances.id, instanceId));
    expect((await site(`/i/${instanceId}/files/worker.js`)).status).toBe(404);
    expect(
      (await servers.api.call('bob', 'GET', `/plugin-instances/${instanceId}`)).body.state,
    ).toBe('ended');
  });

  it('stops serving at once when an admin blocks the plugin, and says so in the audit trail', async () => {
    const instanceId = await running('bob', 'test.bundled');
    expect((await site(`/i/${instanceId}/files/worker.js`)).status).toBe(200);
    const rule = await servers.api.call('alice', 'POST', '/plugin-policies', {
      pluginId: 'test.bundled',
      effect: 'block',
      groupIds: null,
    });
    expect(rule.status).toBe(201);
    expect((await site(`/i/${instanceId}/files/worker.js`)).status).toBe(404);
    const refusal = await latestAudit('plugin.serve');
    expect(refusal).toMatchObject({
      outcome: 'denied',
      actorPlugin: 'test.bundled',
      actorUserId: servers.api.ids.bob,
    });
    expect(
      (await servers.api.call('alice', 'DELETE', `/plugin-policies/${rule.body.id as string}`))
        .status,
    ).toBe(204);
    expect((await site(`/i/${instanceId}/files/worker.js`)).status).toBe(200);
  });

  it('refuses a bundled file changed on disk after start: 404, audited, plugin marked broken', async () => {
    const instanceId = await running('bob', 'test.changing');
    expect((await site(`/i/${instanceId}/files/chunks/helper.js`)).status).toBe(200);
    await writeFile(
      path.join(pluginsDir, 'test.changing', 'chunks', 'helper.js'),
      'export const answer = fetch("https://evil.example");\n',
    );
    expect((await site(`/i/${instanceId}/files/chunks/helper.js`)).status).toBe(404);
    const mismatch = await latestAudit('plugin.file_mismatch');
    expect(mismatch).toMatchObject({ outcome: 'error', actorPlugin: 'test.changing' });
    expect(mismatch?.details).toMatchObject({ path: 'chunks/helper.js' });
    // Broken: no file of it is served any more, and nobody may launch it.
    expect((await site(`/i/${instanceId}/files/worker.js`)).status).toBe(404);
    const state = await servers.api.call('bob', 'GET', `/plugin-instances/${instanceId}`);
    expect(state.body.state).toBe('blocked');
    const admin = await servers.api.call('alice', 'GET', '/plugins/test.changing');
    expect(admin.body).toMatchObject({
      runnable: false,
      blockedReason: expect.stringContaining('chunks/helper.js no longer matches'),
    });
    expect(
      servers.siteLogs.some(
        (line) =>
          line.msg ===
          'plugin file no longer matches its manifest: not served, plugin marked broken',
      ),
    ).toBe(true);
  });

  it('refuses an uploaded file altered in the database', async () => {
    const instanceId = await running('dave', 'test.uploaded');
    await servers.api.server.store.db
      .update(schema.pluginFiles)
      .set({ content: Buffer.from('self.postMessage("evil")') })
      .where(
        and(
          eq(schema.pluginFiles.pluginId, 'test.uploaded'),
          eq(schema.pluginFiles.path, 'worker.js'),
        ),
      );
    expect((await site(`/i/${instanceId}/files/worker.js`)).status).toBe(404);
    expect(await latestAudit('plugin.file_mismatch')).toMatchObject({
      actorPlugin: 'test.uploaded',
    });
  });
});

describe('the runtime and everything else', () => {
  it('serves the built runtime, and a 404 with a warning when it is not built', async () => {
    const script = await site('/runtime/enclave-runtime.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('/* fake runtime */\n');
    const style = await site('/runtime/enclave-runtime.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    await rm(path.join(runtimeDir, 'enclave-runtime.js'));
    expect((await site('/runtime/enclave-runtime.js')).status).toBe(404);
    expect(
      servers.siteLogs.some(
        (line) => line.level === 40 && String(line.msg).includes('plugin runtime is not built'),
      ),
    ).toBe(true);
    expect((await site('/runtime/other.js')).status).toBe(404);
  });

  it('answers anything else with a 404', async () => {
    for (const [pathname, method] of [
      ['/', 'GET'],
      ['/api/v1/plugins', 'GET'],
      ['/i/', 'GET'],
      ['/runtime/enclave-runtime.css', 'POST'],
    ] as const) {
      expect((await site(pathname, { method })).status, `${method} ${pathname}`).toBe(404);
    }
  });

  it('puts the plugin CSP, CORP, nosniff and no-referrer on every response, and CORS only for the opaque origin on files', () => {
    expect(responses.length).toBeGreaterThan(30);
    for (const response of responses) {
      const where = `${response.status} ${response.url}`;
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, where).toMatch(/^sandbox allow-scripts; default-src 'none'; /);
      expect(csp, where).toContain("connect-src 'none'");
      expect(csp, where).toContain("form-action 'none'");
      expect(response.headers.get('cross-origin-resource-policy'), where).toBe('cross-origin');
      expect(response.headers.get('x-content-type-options'), where).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), where).toBe('no-referrer');
      expect(response.headers.get('cache-control'), where).toBe('no-store');
      const isServedFile = response.status === 200 && response.url.includes('/files/');
      expect(response.headers.get('access-control-allow-origin'), where).toBe(
        isServedFile ? 'null' : null,
      );
    }
    expect(responses.some((response) => response.url.includes('/files/') && response.ok)).toBe(
      true,
    );
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([200, 404]));
  });
});
