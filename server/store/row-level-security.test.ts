/**
 * Row-level security, proven with raw SQL under `asUser`: whatever a query asks for, it gets only
 * rows of projects the user holds a grant on (directly, through a group, or through a nested
 * group), on PGlite and on a real PostgreSQL server.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from './index.ts';
import { storeTargets, type TestStore } from './testing.ts';

const now = new Date();
const id = () => crypto.randomUUID();

/** The database's own message (drizzle wraps it as the cause of its error). */
async function failureOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const wrapped = error as { message?: string; cause?: { message?: string } };
    return wrapped.cause?.message ?? wrapped.message ?? String(error);
  }
  return 'it succeeded';
}

describe.each(storeTargets())('row-level security on $name', (target) => {
  let store: TestStore;
  const users = { ann: id(), ben: id(), cat: id(), root: id() };
  const projects = { annOnly: id(), viaGroup: id(), viaNested: id() };
  const groups = { chemists: id(), research: id() };

  beforeAll(async () => {
    store = await target.open();
    const db = store.db;
    await db.insert(schema.users).values(
      Object.entries(users).map(([name, userId]) => ({
        id: userId,
        username: name,
        displayName: name,
        systemRole: name === 'root' ? 'admin' : 'user',
        source: 'local',
        createdAt: now,
        updatedAt: now,
      })),
    );
    await db.insert(schema.groups).values([
      { id: groups.chemists, name: 'chemists', source: 'local', createdAt: now },
      { id: groups.research, name: 'research', source: 'local', createdAt: now },
    ]);
    // ben is in chemists; chemists is nested in research.
    await db.insert(schema.groupMembers).values({ groupId: groups.chemists, userId: users.ben });
    await db
      .insert(schema.groupNesting)
      .values({ parentGroupId: groups.research, childGroupId: groups.chemists });
    await db.insert(schema.projects).values(
      Object.values(projects).map((projectId) => ({
        id: projectId,
        name: projectId,
        createdBy: users.ann,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await db.insert(schema.projectMembers).values([
      { id: id(), projectId: projects.annOnly, userId: users.ann, role: 'owner', createdAt: now },
      { id: id(), projectId: projects.viaGroup, userId: users.ann, role: 'owner', createdAt: now },
      { id: id(), projectId: projects.viaNested, userId: users.ann, role: 'owner', createdAt: now },
      {
        id: id(),
        projectId: projects.viaGroup,
        groupId: groups.chemists,
        role: 'viewer',
        createdAt: now,
      },
      {
        id: id(),
        projectId: projects.viaNested,
        groupId: groups.research,
        role: 'viewer',
        createdAt: now,
      },
    ]);
    await db.insert(schema.dashboards).values(
      Object.values(projects).map((projectId) => ({
        id: id(),
        projectId,
        title: `dashboard of ${projectId}`,
        spec: { version: 1, views: [] },
        createdAt: now,
        updatedAt: now,
      })),
    );
  }, 60_000);

  afterAll(() => store?.dispose());

  const visibleProjects = (userId: string, table: string) =>
    store.asUser(userId, async (db) => {
      const result = (await db.execute(
        sql.raw(`select distinct project_id::text as project_id from ${table}`),
      )) as unknown as { rows: { project_id: string }[] };
      return result.rows.map((row) => row.project_id).sort();
    });

  it('runs as a role that is neither superuser nor able to bypass row-level security', async () => {
    const [role] = await store.asUser(users.ann, async (db) => {
      const result = (await db.execute(
        sql`select current_user as name, rolsuper as super, rolbypassrls as bypass from pg_roles where rolname = current_user`,
      )) as unknown as { rows: { name: string; super: boolean; bypass: boolean }[] };
      return result.rows;
    });
    expect(role).toEqual({ name: 'enclave_request', super: false, bypass: false });
  });

  it('a raw SELECT sees only the rows of projects the user is granted, through groups and nesting', async () => {
    expect(await visibleProjects(users.ann, 'dashboards')).toEqual(Object.values(projects).sort());
    expect(await visibleProjects(users.ben, 'dashboards')).toEqual(
      [projects.viaGroup, projects.viaNested].sort(),
    );
    expect(await visibleProjects(users.ben, 'project_members')).toEqual(
      [projects.viaGroup, projects.viaNested].sort(),
    );
    expect(await visibleProjects(users.cat, 'dashboards')).toEqual([]);
    expect(await visibleProjects(users.cat, 'project_members')).toEqual([]);
    const catProjects = await store.asUser(users.cat, (db) => db.select().from(schema.projects));
    expect(catProjects).toEqual([]);
    expect(await visibleProjects(users.root, 'dashboards')).toEqual(Object.values(projects).sort());
  });

  it('without a user id the request role sees nothing', async () => {
    const rows = await store.db.transaction(async (tx) => {
      await tx.execute(sql`set local role enclave_request`);
      return ((await tx.execute(sql`select id from dashboards`)) as unknown as { rows: unknown[] })
        .rows;
    });
    expect(rows).toEqual([]);
  });

  it("cannot change or add rows in another user's project", async () => {
    const updated = await store.asUser(users.cat, async (db) => {
      const result = (await db.execute(
        sql`update dashboards set title = 'defaced' returning id`,
      )) as unknown as { rows: unknown[] };
      return result.rows.length;
    });
    expect(updated).toBe(0);
    const deleted = await store.asUser(users.cat, async (db) => {
      const result = (await db.execute(
        sql`delete from project_members returning id`,
      )) as unknown as { rows: unknown[] };
      return result.rows.length;
    });
    expect(deleted).toBe(0);
    expect(
      await failureOf(
        store.asUser(users.cat, (db) =>
          db.insert(schema.dashboards).values({
            id: id(),
            projectId: projects.annOnly,
            title: 'planted',
            spec: {},
            createdAt: now,
            updatedAt: now,
          }),
        ),
      ),
    ).toMatch(/row-level security/);
    expect(
      await failureOf(
        store.asUser(users.cat, (db) =>
          db.insert(schema.projectMembers).values({
            id: id(),
            projectId: projects.annOnly,
            userId: users.cat,
            role: 'owner',
            createdAt: now,
          }),
        ),
      ),
    ).toMatch(/row-level security/);
    const titles = await store.db
      .select({ title: schema.dashboards.title })
      .from(schema.dashboards);
    expect(titles.map((row) => row.title)).not.toContain('defaced');
    expect(titles.map((row) => row.title)).not.toContain('planted');
  });

  it('a creator sees a new project only until its first grant exists', async () => {
    const fresh = id();
    await store.db.insert(schema.projects).values({
      id: fresh,
      name: 'fresh',
      createdBy: users.cat,
      createdAt: now,
      updatedAt: now,
    });
    const seenByCreator = await store.asUser(users.cat, (db) => db.select().from(schema.projects));
    expect(seenByCreator.map((row) => row.id)).toEqual([fresh]);
    await store.db.insert(schema.projectMembers).values({
      id: id(),
      projectId: fresh,
      userId: users.ann,
      role: 'owner',
      createdAt: now,
    });
    const afterGrant = await store.asUser(users.cat, (db) => db.select().from(schema.projects));
    expect(afterGrant).toEqual([]);
  });

  it('refuses to change a dataset version, even for a superuser', async () => {
    const datasetId = id();
    await store.db.insert(schema.datasets).values({
      id: datasetId,
      projectId: projects.annOnly,
      name: 'plates',
      wrappedKey: Buffer.from('k'),
      createdAt: now,
      updatedAt: now,
    });
    await store.db.insert(schema.datasetVersions).values({
      datasetId,
      projectId: projects.annOnly,
      version: 1,
      sourceFormat: 'csv',
      byteSize: 1,
      rowCount: 1,
      columns: [],
      sha256: 'x',
      content: Buffer.from('sealed'),
      createdAt: now,
    });
    expect(
      await failureOf(
        store.db.execute(
          sql`update dataset_versions set content = '\\x00' where dataset_id = ${datasetId}`,
        ),
      ),
    ).toMatch(/immutable/);
  });
});
