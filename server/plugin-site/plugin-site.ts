/**
 * The plugin site: the second listener, on `PLUGIN_ORIGIN`, another site than the app's, so a
 * plugin's frame runs in a process of its own. It serves nothing but a launched instance's frame
 * document (generated here, once, within a minute of the launch), that instance's files (each
 * hash-checked on every serve, while the instance lives and the plugin policy still lets its
 * user run the plugin) and the SDK's frame runtime. Every response, 404s and errors included,
 * carries the plugin CSP, so a plugin that navigates its frame to any URL here stays under it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { requestId } from 'hono/request-id';
import type { AuditTrail } from '../audit/index.ts';
import { loadSubject } from '../authz/index.ts';
import type { Logger } from '../logging/index.ts';
import {
  DOCUMENT_WINDOW_MS,
  filePathProblem,
  instanceRef,
  instanceState,
  type PluginRegistry,
} from '../plugins/index.ts';
import { schema, type Store } from '../store/index.ts';

const { pluginInstances } = schema;

/** The policy of every response that is neither a frame document nor a plugin file. */
export const PLUGIN_SITE_DEFAULT_CSP =
  "sandbox allow-scripts; default-src 'none'; script-src 'none'; connect-src 'none'; worker-src 'none'; form-action 'none'; frame-src 'none'; child-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The CSP of an instance's frame document: it may run only the SDK runtime, reach no network,
 * and be framed only by the app. Chromium refuses a module worker from a URL in an opaque-origin
 * frame, so the runtime starts a classic worker from a `blob:` URL whose one line imports the
 * plugin's entry: `worker-src blob:` for that, and `script-src` naming the instance's files,
 * because a blob worker inherits this policy and its imports are checked against it. The
 * document itself never loads a plugin file: the runtime adds no script element.
 *
 * @example
 * documentCsp('http://localhost:8081', 'http://127.0.0.1:8080', instanceId);
 */
export function documentCsp(pluginOrigin: string, appOrigin: string, instanceId: string): string {
  return [
    'sandbox allow-scripts',
    "default-src 'none'",
    `script-src ${pluginOrigin}/runtime/enclave-runtime.js ${pluginOrigin}/i/${instanceId}/files/`,
    `style-src ${pluginOrigin}/runtime/enclave-runtime.css`,
    'img-src data: blob:',
    'worker-src blob:',
    "connect-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "child-src 'none'",
    "base-uri 'none'",
    `frame-ancestors ${appOrigin}`,
  ].join('; ');
}

/**
 * The CSP of an instance's files (it is the worker's own policy too): scripts only from the
 * instance's files, no network, no nested workers, never framed.
 *
 * @example
 * fileCsp('http://localhost:8081', instanceId);
 */
export function fileCsp(pluginOrigin: string, instanceId: string): string {
  return [
    'sandbox allow-scripts',
    "default-src 'none'",
    `script-src ${pluginOrigin}/i/${instanceId}/files/`,
    "connect-src 'none'",
    "worker-src 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

function contentTypeOf(filePath: string): string {
  return contentTypes[path.posix.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

const INSTANCE_ID = /^[A-Za-z0-9_-]{43}$/;
const RUNTIME_FILES = new Set(['enclave-runtime.js', 'enclave-runtime.css']);

export interface PluginSiteOptions {
  store: Store;
  audit: AuditTrail;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  registry: PluginRegistry;
  /** `config.pluginOrigin`, e.g. `http://localhost:8081`. */
  pluginOrigin: string;
  /** `config.publicUrl`: its origin is the only one that may frame a plugin document. */
  publicUrl: string;
  /** The built SDK runtime's folder (`config.pluginRuntimeDir`). */
  runtimeDir: string;
}

interface SiteEnv {
  Variables: { requestId: string; csp: string; opaqueOriginMayRead?: boolean };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${String(character.charCodeAt(0))};`);
}

/**
 * The frame document of an instance: the runtime, and where the plugin's worker is. Nothing of
 * the plugin's runs in it.
 *
 * @example
 * frameDocument(instanceId, 'worker.js');
 */
export function frameDocument(instanceId: string, entry: string): string {
  const worker = escapeHtml(`/i/${instanceId}/files/${entry}`);
  return (
    '<!doctype html><html><head><meta charset="utf-8"><title>plugin</title>\n' +
    '<link rel="stylesheet" href="/runtime/enclave-runtime.css">\n' +
    '<script src="/runtime/enclave-runtime.js" defer></script></head>\n' +
    `<body data-worker="${worker}"></body></html>\n`
  );
}

/**
 * The plugin site's application, for the second listener.
 *
 * @example
 * const site = createPluginSite({ store, audit, logger, registry, pluginOrigin, publicUrl, runtimeDir });
 * serve({ fetch: site.fetch, port: config.pluginPort, hostname: config.host });
 */
export function createPluginSite(options: PluginSiteOptions) {
  const { store, audit, logger, registry, pluginOrigin } = options;
  const appOrigin = new URL(options.publicUrl).origin;
  const site = new Hono<SiteEnv>();

  const notFound = (c: Context<SiteEnv>) => {
    c.set('csp', PLUGIN_SITE_DEFAULT_CSP);
    return c.text('Not found.', 404);
  };

  site.use(requestId());
  site.use(async (c, next) => {
    c.set('csp', PLUGIN_SITE_DEFAULT_CSP);
    await next();
    const headers = c.res.headers;
    headers.set('Content-Security-Policy', c.var.csp);
    headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Referrer-Policy', 'no-referrer');
    headers.set('Cache-Control', 'no-store');
    headers.delete('Access-Control-Allow-Origin');
    headers.delete('Access-Control-Allow-Credentials');
    // The worker imports the plugin's files in CORS mode from the frame's opaque origin, which
    // the browser sends as `Origin: null`: only those answers name it, never `*`.
    if (c.var.opaqueOriginMayRead) headers.set('Access-Control-Allow-Origin', 'null');
    headers.delete('X-Powered-By');
  });

  /** Records a refusal to serve an instance (the plugin policy, an ended instance, a bad file). */
  const recordRefusal = async (
    c: Context<SiteEnv>,
    instance: { id: string; pluginId: string; userId: string },
    action: string,
    outcome: 'denied' | 'error',
    details: Record<string, unknown>,
  ) => {
    await audit.record({
      action,
      resourceType: 'plugin',
      resourceId: instance.pluginId,
      outcome,
      actorUserId: instance.userId,
      actorClient: 'plugin-site',
      actorPlugin: instance.pluginId,
      requestId: c.var.requestId,
      details: { instance: instanceRef(instance.id), ...details },
    });
  };

  site.get('/i/:instanceId/', async (c) => {
    const { instanceId } = c.req.param();
    // A HEAD must not use up the single serve.
    if (c.req.method !== 'GET' || !INSTANCE_ID.test(instanceId)) return notFound(c);
    const now = new Date();
    const [instance] = await store.db
      .update(pluginInstances)
      .set({ documentServedAt: now })
      .where(
        and(
          eq(pluginInstances.id, instanceId),
          isNull(pluginInstances.documentServedAt),
          isNull(pluginInstances.endedAt),
          gt(pluginInstances.createdAt, new Date(now.getTime() - DOCUMENT_WINDOW_MS)),
        ),
      )
      .returning();
    if (!instance) return notFound(c);
    const subject = await loadSubject(store.db, instance.userId);
    const { state, reason, plugin } = await instanceState(
      registry,
      instance,
      subject?.groups.map((group) => group.id) ?? [],
      now,
    );
    if (!subject || state !== 'active' || !plugin) {
      await recordRefusal(c, instance, 'plugin.serve', 'denied', {
        path: '/',
        reason: subject ? reason : 'The account is no longer active.',
      });
      return notFound(c);
    }
    c.set('csp', documentCsp(pluginOrigin, appOrigin, instanceId));
    return c.html(frameDocument(instanceId, plugin.manifest.entry), 200);
  });

  site.get('/i/:instanceId/files/*', async (c) => {
    const { instanceId } = c.req.param();
    if (!INSTANCE_ID.test(instanceId)) return notFound(c);
    const rawPath = new URL(c.req.url).pathname;
    const prefix = `/i/${instanceId}/files/`;
    const filePath = rawPath.slice(prefix.length);
    // Plugin paths need no escaping, so an escaped one is a trick, not a file.
    if (!rawPath.startsWith(prefix) || filePath.includes('%') || filePathProblem(filePath)) {
      return notFound(c);
    }
    const now = new Date();
    const [instance] = await store.db
      .select()
      .from(pluginInstances)
      .where(eq(pluginInstances.id, instanceId));
    if (!instance?.documentServedAt) return notFound(c);
    const subject = await loadSubject(store.db, instance.userId);
    const { state, reason, plugin } = await instanceState(
      registry,
      instance,
      subject?.groups.map((group) => group.id) ?? [],
      now,
    );
    if (!subject || state !== 'active' || !plugin) {
      await recordRefusal(c, instance, 'plugin.serve', 'denied', {
        path: filePath,
        reason: subject ? reason : 'The account is no longer active.',
      });
      return notFound(c);
    }
    const read = await registry.readFile(plugin, filePath);
    if (read.kind === 'missing') return notFound(c);
    if (read.kind === 'mismatch') {
      await registry.markBroken(plugin, filePath);
      await recordRefusal(c, instance, 'plugin.file_mismatch', 'error', {
        path: filePath,
        expectedSha256: plugin.manifest.files[filePath],
        actualSha256: read.actualSha256,
      });
      logger.warn(
        { pluginId: plugin.manifest.id, path: filePath },
        'plugin file no longer matches its manifest: not served, plugin marked broken',
      );
      return notFound(c);
    }
    c.set('csp', fileCsp(pluginOrigin, instanceId));
    c.set('opaqueOriginMayRead', true);
    return c.body(read.bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': contentTypeOf(filePath),
      'Content-Length': String(read.bytes.byteLength),
    });
  });

  site.get('/runtime/:name', async (c) => {
    const { name } = c.req.param();
    if (!RUNTIME_FILES.has(name)) return notFound(c);
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(options.runtimeDir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      logger.warn(
        { runtimeDir: options.runtimeDir, file: name },
        'the plugin runtime is not built (npm run build): plugin frames cannot start',
      );
      return notFound(c);
    }
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': contentTypeOf(name),
      'Content-Length': String(bytes.byteLength),
    });
  });

  site.notFound(notFound);
  site.onError((error, c) => {
    logger.error({ err: error, requestId: c.var.requestId }, 'plugin site: unhandled error');
    c.set('csp', PLUGIN_SITE_DEFAULT_CSP);
    return c.text('Not available.', 500);
  });
  return site;
}
