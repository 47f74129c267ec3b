import http from 'node:http';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrowStreamFromRows, readArrowIpcSummary, type ArrowColumn } from '../arrow/index.ts';
import { openStore, schema, type Store } from '../store/index.ts';
import { createTestDatabase, dropTestDatabase, hasTestPostgres } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';

let api: ApiTestServer;
beforeAll(async () => {
  api = await startApiTestServer();
}, 60_000);
afterAll(() => api?.close());

type Role = 'owner' | 'editor' | 'viewer';

const CSV = 'text/csv';
const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
const ARROW_FILE = 'application/vnd.apache.arrow.file';

const encode = (text: string) => new TextEncoder().encode(text);

async function arrowBytes(columns: ArrowColumn[], rows: unknown[][]): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  async function* batches() {
    yield rows;
  }
  for await (const chunk of arrowStreamFromRows(columns, batches())) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A project owned by bob with `grants` given. */
async function project(grants: [DemoUser, Role][] = [], owner: DemoUser = 'bob') {
  const created = await api.call(owner, 'POST', '/projects', { name: `p-${crypto.randomUUID()}` });
  expect(created.status).toBe(201);
  for (const [user, role] of grants) {
    const grant = await api.call(owner, 'PUT', `/projects/${created.body.id}/members`, {
      principal: { type: 'user', id: api.ids[user] },
      role,
    });
    expect(grant.status).toBe(200);
  }
  return created.body.id as string;
}

async function dataset(projectId: string, user: DemoUser = 'bob', name = 'Assay results') {
  const created = await api.call(user, 'POST', `/projects/${projectId}/datasets`, { name });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

function upload(
  user: DemoUser,
  datasetId: string,
  bytes: Uint8Array | string,
  contentType: string | null = CSV,
) {
  const body = typeof bytes === 'string' ? encode(bytes) : bytes;
  return api.call(
    user,
    'POST',
    `/datasets/${datasetId}/versions`,
    body,
    contentType === null ? {} : { 'content-type': contentType },
  );
}

/** Downloads a version as raw bytes (the test client's `call` decodes bodies as text). */
async function download(user: DemoUser, datasetId: string, version: number | string) {
  const response = await api.clients[user].fetch(
    `${api.server.url}/api/v1/datasets/${datasetId}/versions/${version}/data`,
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes };
}

async function storedVersions(datasetId: string) {
  return api.server.store.db
    .select()
    .from(schema.datasetVersions)
    .where(eq(schema.datasetVersions.datasetId, datasetId))
    .orderBy(schema.datasetVersions.version);
}

async function auditEvents(resourceId: string) {
  return api.server.store.db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.resourceId, resourceId))
    .orderBy(schema.auditEvents.seq);
}

/** Rewrites stored rows as the database superuser, past the trigger that keeps versions fixed. */
async function tamper(statement: ReturnType<typeof sql>) {
  await api.server.store.db.transaction(async (tx) => {
    await tx.execute(sql`alter table dataset_versions disable trigger dataset_versions_immutable`);
    await tx.execute(statement);
    await tx.execute(sql`alter table dataset_versions enable trigger dataset_versions_immutable`);
  });
}

describe('datasets: who may do what', () => {
  // The caller, the grant bob (owner) gives them on a fresh project, and the statuses of list,
  // create, view, upload, download, delete in that order.
  const cases: [string, DemoUser, Role | null, number[]][] = [
    ['the owner', 'bob', null, [200, 201, 200, 201, 200, 204]],
    ['an editor', 'dave', 'editor', [200, 201, 200, 201, 200, 403]],
    ['a project viewer', 'dave', 'viewer', [200, 403, 200, 403, 200, 403]],
    ['a system Viewer granted owner', 'carol', 'owner', [200, 403, 200, 403, 200, 403]],
    ['a non-member', 'dave', null, [404, 404, 404, 404, 404, 404]],
    ['an admin without grants', 'alice', null, [200, 201, 200, 201, 200, 204]],
  ];

  it.each(cases)('%s', async (_name, user, role, statuses) => {
    const [list, create, view, uploadStatus, read, remove] = statuses;
    const projectId = await project(role ? [[user, role]] : []);
    const id = await dataset(projectId);
    expect((await upload('bob', id, 'a,b\n1,x\n')).status).toBe(201);

    const listed = await api.call(user, 'GET', `/projects/${projectId}/datasets`);
    expect(listed.status).toBe(list);
    if (list === 200) expect(listed.body.datasets.map((d: { id: string }) => d.id)).toEqual([id]);

    const created = await api.call(user, 'POST', `/projects/${projectId}/datasets`, { name: 'x' });
    expect(created.status).toBe(create);
    const inProject = await api.server.store.db
      .select()
      .from(schema.datasets)
      .where(eq(schema.datasets.projectId, projectId));
    expect(inProject).toHaveLength(create === 201 ? 2 : 1);

    const opened = await api.call(user, 'GET', `/datasets/${id}`);
    expect(opened.status).toBe(view);
    if (view === 200) {
      const allowed: string[] = opened.body.allowedActions;
      expect(allowed.includes('dataset.upload')).toBe(uploadStatus === 201);
      expect(allowed.includes('dataset.delete')).toBe(remove === 204);
      expect(opened.body).not.toHaveProperty('wrappedKey');
    }

    expect((await upload(user, id, 'a,b\n2,y\n')).status).toBe(uploadStatus);
    expect(await storedVersions(id)).toHaveLength(uploadStatus === 201 ? 2 : 1);

    expect((await download(user, id, 1)).status).toBe(read);

    expect((await api.call(user, 'DELETE', `/datasets/${id}`)).status).toBe(remove);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).status).toBe(
      remove === 204 ? 404 : 200,
    );
  });

  it('answers a non-member the same for an existing and a missing dataset', async () => {
    const id = await dataset(await project());
    const hidden = await api.call('dave', 'GET', `/datasets/${id}`);
    const missing = await api.call('dave', 'GET', `/datasets/${crypto.randomUUID()}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(missing.body.error.message);
    expect((await upload('dave', id, 'a\n1\n')).status).toBe(404);
  });

  it('refuses malformed ids and version numbers with 400', async () => {
    const id = await dataset(await project());
    expect((await upload('bob', id, 'a\n1\n')).status).toBe(201);
    for (const version of ['0', '01', '-1', '1.0', 'abc', '99999999999']) {
      expect((await download('bob', id, version)).status, version).toBe(400);
    }
    expect((await download('bob', id, 2)).status).toBe(404);
    expect((await api.call('bob', 'GET', '/datasets/..%2F..%2Fkeys')).status).toBe(400);
    const strict = await api.call('bob', 'POST', `/projects/${crypto.randomUUID()}/datasets`, {
      name: 'x',
      wrappedKey: 'AAAA',
    });
    expect(strict.status).toBe(400);
    const projectId = await project();
    for (const name of ['', 'a\u0000b', '\ud800', 'x'.repeat(201)]) {
      const refused = await api.call('bob', 'POST', `/projects/${projectId}/datasets`, { name });
      expect(refused.status, JSON.stringify(name)).toBe(400);
    }
  });
});

describe('datasets: upload and download', () => {
  it('stores a CSV upload as an Arrow stream and gives the same table back', async () => {
    const id = await dataset(await project());
    const csv = 'compound,dose_mg,active,day\nA-1,10,true,2024-01-02\nB-2,2.5,false,\n';
    const uploaded = await upload('bob', id, csv);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({
      number: 1,
      rowCount: 2,
      sourceFormat: 'csv',
      createdBy: { id: api.ids.bob, name: 'bob' },
      columns: [
        { name: 'compound', type: 'utf8' },
        { name: 'dose_mg', type: 'float64' },
        { name: 'active', type: 'bool' },
        { name: 'day', type: 'date32' },
      ],
    });
    const data = await download('bob', id, 1);
    expect(data.status).toBe(200);
    expect(data.headers.get('content-type')).toBe(ARROW_STREAM);
    expect(data.headers.get('cache-control')).toBe('no-store');
    expect(data.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
    expect(data.bytes.byteLength).toBe(uploaded.body.byteSize);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(data.bytes).digest('hex')).toBe(uploaded.body.sha256);
    const table = readArrowIpcSummary(data.bytes);
    expect(table.rowCount).toBe(2);
    expect(table.rows()).toEqual([
      ['A-1', 10, true, new Date('2024-01-02T00:00:00Z')],
      ['B-2', 2.5, false, null],
    ]);
  });

  it.each([ARROW_STREAM, ARROW_FILE, `${ARROW_STREAM}; foo=bar`])(
    'takes Arrow IPC as %s',
    async (contentType) => {
      const id = await dataset(await project());
      const columns: ArrowColumn[] = [
        { name: 'id', kind: 'int64' },
        { name: 'label', kind: 'utf8' },
      ];
      const bytes = await arrowBytes(columns, [
        [1n, 'one'],
        [2n, null],
        [3n, 'three'],
      ]);
      const uploaded = await upload('bob', id, bytes, contentType);
      expect(uploaded.status).toBe(201);
      expect(uploaded.body).toMatchObject({
        number: 1,
        rowCount: 3,
        sourceFormat: 'arrow',
        columns: [
          { name: 'id', type: 'int64' },
          { name: 'label', type: 'utf8' },
        ],
      });
      const data = await download('bob', id, 1);
      expect(readArrowIpcSummary(data.bytes).rows()).toEqual([
        [1n, 'one'],
        [2n, null],
        [3n, 'three'],
      ]);
    },
  );

  it('lists versions with their metadata, oldest first', async () => {
    const id = await dataset(await project());
    await upload('bob', id, 'a\n1\n');
    await upload('bob', id, 'a,b\n1,2\n3,4\n');
    const read = await api.call('bob', 'GET', `/datasets/${id}`);
    expect(read.body.latestVersion).toBe(2);
    expect(read.body.versions).toHaveLength(2);
    expect(read.body.versions[1]).toMatchObject({
      number: 2,
      rowCount: 2,
      sourceFormat: 'csv',
      createdBy: { id: api.ids.bob, name: 'bob' },
      columns: [
        { name: 'a', type: 'int32' },
        { name: 'b', type: 'int32' },
      ],
    });
    expect(read.body.versions[1].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(read.body.versions[1].byteSize).toBeGreaterThan(0);
    expect(read.body.versions[1]).not.toHaveProperty('content');
  });

  it('refuses malformed CSV with the line at fault, and stores nothing', async () => {
    const id = await dataset(await project());
    const bad = await upload('bob', id, 'a,b\n1,2\n3,4\n5\n');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_csv');
    expect(bad.body.error.message).toMatch(/^Line 4 /);
    expect(await storedVersions(id)).toEqual([]);
    const empty = await upload('bob', id, '');
    expect(empty.status).toBe(400);
  });

  it('refuses bytes that are not Arrow IPC', async () => {
    const id = await dataset(await project());
    const bad = await upload('bob', id, 'a,b\n1,2\n', ARROW_STREAM);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_arrow');
    expect(await storedVersions(id)).toEqual([]);
  });

  it.each(['application/json', 'text/plain', 'multipart/form-data; boundary=x', null])(
    'refuses the content type %s with 415',
    async (contentType) => {
      const id = await dataset(await project());
      const refused = await upload('bob', id, 'a\n1\n', contentType);
      expect(refused.status).toBe(415);
      expect(refused.body.error.code).toBe('unsupported_media_type');
      expect(await storedVersions(id)).toEqual([]);
    },
  );

  it('gives concurrent uploads distinct version numbers', async () => {
    const id = await dataset(await project());
    const uploads = await Promise.all(
      Array.from({ length: 6 }, (_, index) => upload('bob', id, `n\n${index}\n`)),
    );
    expect(uploads.map((response) => response.status)).toEqual(Array(6).fill(201));
    const numbers = uploads.map((response) => response.body.number as number);
    expect([...numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).body.latestVersion).toBe(6);
    // Each number holds the upload that was answered with it.
    for (const [index, response] of uploads.entries()) {
      const data = await download('bob', id, response.body.number);
      expect(readArrowIpcSummary(data.bytes).rows()).toEqual([[index]]);
    }
  });

  it('keeps versions immutable even for a query-layer bug', async () => {
    const id = await dataset(await project());
    await upload('bob', id, 'a\n1\n');
    await expect(
      api.server.store.asUser(api.ids.bob, (db) =>
        db
          .update(schema.datasetVersions)
          .set({ rowCount: 99 })
          .where(eq(schema.datasetVersions.datasetId, id)),
      ),
    ).rejects.toThrow();
    expect((await storedVersions(id))[0]!.rowCount).toBe(1);
  });
});

describe('datasets: encrypted at rest', () => {
  it('stores no plaintext: a marker in the CSV is in the download, not in the database', async () => {
    const id = await dataset(await project());
    const marker = `MARKER-${crypto.randomUUID()}`;
    expect((await upload('bob', id, `note\n${marker}\n`)).status).toBe(201);
    const [stored] = await storedVersions(id);
    const content = Buffer.from(stored!.content);
    expect(content.includes(Buffer.from(marker))).toBe(false);
    expect(content.includes(Buffer.from(marker, 'utf16le'))).toBe(false);
    const [row] = await api.server.store.db
      .select()
      .from(schema.datasets)
      .where(eq(schema.datasets.id, id));
    expect(Buffer.from(row!.wrappedKey).byteLength).toBe(61);
    const data = await download('bob', id, 1);
    expect(Buffer.from(data.bytes).includes(Buffer.from(marker))).toBe(true);
  });

  it('refuses to serve a version whose stored bytes were altered', async () => {
    const id = await dataset(await project());
    await upload('bob', id, 'a\n1\n2\n');
    const [stored] = await storedVersions(id);
    const altered = Buffer.from(stored!.content);
    altered[altered.length - 20]! ^= 0x01;
    await tamper(
      sql`update dataset_versions set content = ${altered} where dataset_id = ${id} and version = 1`,
    );
    const data = await download('bob', id, 1);
    expect(data.status).toBe(500);
    const body = JSON.parse(Buffer.from(data.bytes).toString('utf8'));
    expect(body.error.code).toBe('dataset_unreadable');
    const failures = (await auditEvents(id)).filter(
      (event) => event.action === 'dataset.read' && event.outcome === 'error',
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]!.details).toMatchObject({ version: 1 });
  });

  it('refuses a version copied from another dataset, with or without its key', async () => {
    const projectId = await project();
    const source = await dataset(projectId, 'bob', 'A');
    const target = await dataset(projectId, 'bob', 'B');
    await upload('bob', source, 'secret\nfrom-a\n');
    await upload('bob', target, 'other\nfrom-b\n');
    const [fromA] = await storedVersions(source);
    await tamper(
      sql`update dataset_versions set content = ${Buffer.from(fromA!.content)}, sha256 = ${fromA!.sha256}
          where dataset_id = ${target} and version = 1`,
    );
    expect((await download('bob', target, 1)).status).toBe(500);
    // With A's wrapped key too, the key opens, but the seal names dataset A, not B.
    await api.server.store.db.execute(
      sql`update datasets set wrapped_key = (select wrapped_key from datasets where id = ${source})
          where id = ${target}`,
    );
    const copied = await download('bob', target, 1);
    expect(copied.status).toBe(500);
    expect(Buffer.from(copied.bytes).includes(Buffer.from('from-a'))).toBe(false);
    expect((await download('bob', source, 1)).status).toBe(200);
  });

  it('refuses an older version replayed in place of a newer one', async () => {
    const id = await dataset(await project());
    await upload('bob', id, 'v\nold\n');
    await upload('bob', id, 'v\nnew\n');
    const [first] = await storedVersions(id);
    await tamper(
      sql`update dataset_versions set content = ${Buffer.from(first!.content)}, sha256 = ${first!.sha256}
          where dataset_id = ${id} and version = 2`,
    );
    expect((await download('bob', id, 2)).status).toBe(500);
  });
});

describe('datasets: audit', () => {
  it('records every change with its state and every download as a read', async () => {
    const projectId = await project([['dave', 'viewer']]);
    const id = await dataset(projectId, 'bob', 'Audited');
    const uploaded = await upload('bob', id, 'x\n1\n2\n3\n');
    expect((await download('dave', id, 1)).status).toBe(200);
    expect((await api.call('bob', 'DELETE', `/datasets/${id}`)).status).toBe(204);
    const events = (await auditEvents(id)).filter((event) => event.outcome === 'ok');
    expect(events.map((event) => event.action)).toEqual([
      'dataset.create',
      'dataset.upload',
      'dataset.read',
      'dataset.delete',
    ]);
    const [create, stored, read, remove] = events;
    expect(create).toMatchObject({
      projectId,
      actorUserId: api.ids.bob,
      after: { id, projectId, name: 'Audited', description: '', latestVersion: 0 },
    });
    expect(stored).toMatchObject({
      before: { latestVersion: 0 },
      after: {
        latestVersion: 1,
        version: { number: 1, rowCount: 3, sha256: uploaded.body.sha256, sourceFormat: 'csv' },
      },
    });
    expect(read).toMatchObject({
      actorUserId: api.ids.dave,
      details: { version: 1, rowCount: 3, sha256: uploaded.body.sha256 },
    });
    expect(remove).toMatchObject({
      before: { id, name: 'Audited', latestVersion: 1, versions: [{ number: 1, rowCount: 3 }] },
      after: null,
    });
    // Neither the key nor any byte of data is in the trail.
    for (const event of events) {
      const text = JSON.stringify(event);
      expect(text).not.toMatch(/wrapped|content/i);
    }
    expect(await storedVersions(id)).toEqual([]);
    expect((await api.server.audit.verify()).ok).toBe(true);
  });
});

describe('datasets: the upload limit is MAX_UPLOAD_MB, not the API body limit', () => {
  let small: ApiTestServer;
  beforeAll(async () => {
    small = await startApiTestServer({ env: { MAX_UPLOAD_MB: '1', MAX_REQUEST_BODY_KB: '64' } });
  }, 60_000);
  afterAll(() => small?.close());

  async function smallDataset() {
    const created = await small.call('bob', 'POST', '/projects', { name: 'limits' });
    const made = await small.call('bob', 'POST', `/projects/${created.body.id}/datasets`, {
      name: 'd',
    });
    return made.body.id as string;
  }

  /**
   * POSTs `body` in chunks without a declared length, on a connection of its own, and resolves
   * with the status. The server may answer and close before the last chunk is sent; a write
   * that fails after the answer came is expected, not an error.
   */
  async function postChunked(
    server: ApiTestServer,
    path: string,
    body: Uint8Array,
    contentType: string,
    user: DemoUser = 'bob',
  ): Promise<number> {
    const url = `${server.server.url}/api/v1${path}`;
    const client = server.clients[user];
    const headers = {
      authorization: `DPoP ${client.accessToken}`,
      dpop: await client.proof({ method: 'POST', url }),
      'content-type': contentType,
      'transfer-encoding': 'chunked',
    };
    return new Promise((resolve, reject) => {
      const request = http.request(url, { method: 'POST', headers, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', (error) => setTimeout(() => reject(error), 1000));
      for (let start = 0; start < body.length; start += 64 * 1024) {
        request.write(body.subarray(start, start + 64 * 1024));
      }
      request.end();
    });
  }

  function csvOf(bytes: number) {
    const header = 'value\n';
    const line = `${'7'.repeat(99)}\n`;
    const text = header + line.repeat(Math.ceil((bytes - header.length) / line.length));
    return encode(text.slice(0, bytes - 1) + '\n');
  }

  it('accepts an upload above the API limit and below the upload limit', async () => {
    const id = await smallDataset();
    const body = csvOf(512 * 1024);
    const accepted = await small.call('bob', 'POST', `/datasets/${id}/versions`, body, {
      'content-type': CSV,
    });
    expect(accepted.status).toBe(201);
    // Everywhere else the API limit still holds.
    const json = await small.call('bob', 'POST', '/projects', {
      name: 'x',
      description: 'y'.repeat(70 * 1024),
    });
    expect(json.status).toBe(413);
  });

  it('refuses 1 MiB + 1 byte with 413, declared or streamed, and stores nothing', async () => {
    const id = await smallDataset();
    // Exactly the limit passes. (First: a refused body is drained and its connection closed,
    // which a later request on the same keep-alive connection would trip over.)
    const exactly = await small.call(
      'bob',
      'POST',
      `/datasets/${id}/versions`,
      csvOf(1024 * 1024),
      {
        'content-type': CSV,
      },
    );
    expect(exactly.status).toBe(201);
    const body = csvOf(1024 * 1024 + 1);
    const declared = await small.call('bob', 'POST', `/datasets/${id}/versions`, body, {
      'content-type': CSV,
    });
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe('payload_too_large');

    const streamed = await postChunked(small, `/datasets/${id}/versions`, body, CSV);
    expect(streamed).toBe(413);
    // The policy decides before a byte of an undeclared body is read: a stranger learns nothing.
    const stranger = await postChunked(small, `/datasets/${id}/versions`, body, CSV, 'dave');
    expect(stranger).toBe(404);

    const versions = await small.server.store.db
      .select({ version: schema.datasetVersions.version })
      .from(schema.datasetVersions)
      .where(and(eq(schema.datasetVersions.datasetId, id)));
    expect(versions).toEqual([{ version: 1 }]);
  });
});

describe.runIf(hasTestPostgres)('datasets on PostgreSQL (row locks and row-level security)', () => {
  let pgApi: ApiTestServer;
  let store: Store;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = (await createTestDatabase())!;
    store = await openStore({ databaseUrl });
    pgApi = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await pgApi?.close();
    await store?.close();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  it('gives truly concurrent uploads distinct numbers and reads them back', async () => {
    const created = await pgApi.call('bob', 'POST', '/projects', { name: 'pg' });
    const made = await pgApi.call('bob', 'POST', `/projects/${created.body.id}/datasets`, {
      name: 'd',
    });
    const id = made.body.id as string;
    const uploads = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        pgApi.call('bob', 'POST', `/datasets/${id}/versions`, encode(`n\n${index}\n`), {
          'content-type': CSV,
        }),
      ),
    );
    expect(uploads.map((response) => response.status)).toEqual(Array(8).fill(201));
    const numbers = uploads.map((response) => response.body.number as number);
    expect([...numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [index, response] of uploads.entries()) {
      const data = await pgApi.clients.bob.fetch(
        `${pgApi.server.url}/api/v1/datasets/${id}/versions/${response.body.number}/data`,
      );
      expect(readArrowIpcSummary(new Uint8Array(await data.arrayBuffer())).rows()).toEqual([
        [index],
      ]);
    }
    // Under the request role, dave (no grant) sees none of it, whatever the query asks.
    const seen = await store.asUser(pgApi.ids.dave, (db) =>
      db.select({ version: schema.datasetVersions.version }).from(schema.datasetVersions),
    );
    expect(seen).toEqual([]);
    expect((await pgApi.call('dave', 'GET', `/datasets/${id}`)).status).toBe(404);
  });
});
