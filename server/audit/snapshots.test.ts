import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { captureRows, restoreRows } from './snapshots.ts';

const { projects, datasets, datasetVersions } = schema;

describe.each(storeTargets())('revert snapshots on $name', (target) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await target.open();
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('puts deleted rows back with their ids, bytes and times unchanged', async () => {
    const projectId = crypto.randomUUID();
    const datasetId = crypto.randomUUID();
    const now = new Date('2026-01-02T03:04:05.678Z');
    const content = Buffer.from([0, 1, 2, 250, 255, 92, 120]);
    await store.db
      .insert(projects)
      .values({ id: projectId, name: 'P', createdAt: now, updatedAt: now });
    await store.db.insert(datasets).values({
      id: datasetId,
      projectId,
      name: 'D',
      wrappedKey: Buffer.from('sealed key'),
      createdAt: now,
      updatedAt: now,
    });
    await store.db.insert(datasetVersions).values({
      datasetId,
      projectId,
      version: 1,
      sourceFormat: 'csv',
      byteSize: content.length,
      rowCount: 1,
      columns: [{ name: 'a', type: 'int32' }],
      sha256: 'f'.repeat(64),
      content,
      createdAt: now,
    });
    const before = await store.db.select().from(datasetVersions);

    const snapshotId = await store.db.transaction(async (db) => {
      const id = await captureRows(db, [
        { table: 'projects', where: sql`id = ${projectId}` },
        { table: 'datasets', where: sql`project_id = ${projectId}` },
        { table: 'dataset_versions', where: sql`project_id = ${projectId}` },
      ]);
      await db.delete(projects).where(eq(projects.id, projectId));
      return id;
    });
    expect(await store.db.select().from(datasetVersions)).toEqual([]);

    expect(await restoreRows(store.db, snapshotId)).toBe(3);
    expect(await store.db.select().from(datasetVersions)).toEqual(before);
    const [dataset] = await store.db.select().from(datasets).where(eq(datasets.id, datasetId));
    expect(Buffer.from(dataset?.wrappedKey ?? []).toString()).toBe('sealed key');
    expect(dataset?.createdAt.toISOString()).toBe(now.toISOString());
  });

  it('restores nothing for an unknown snapshot', async () => {
    expect(await restoreRows(store.db, crypto.randomUUID())).toBe(0);
  });
});
