/**
 * The revert engine on its own, over a real store: which events are changes it can undo, how a
 * revert of a revert maps back, how it refuses stale states (naming the later change only when
 * the caller may see it) and restores that clash with the data, and that nothing is half-done.
 */
import { eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../app-env.ts';
import { createLogger } from '../logging/index.ts';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import {
  createAuditTrail,
  type AuditEventInput,
  type AuditTrail,
  type ChainedAuditEvent,
  type JsonValue,
} from './index.ts';
import {
  NotRevertibleError,
  RevertConflictError,
  createRevertEngine,
  revertibleChange,
  undoingKind,
  type RevertRun,
} from './revert.ts';
import type { Reverter } from './reverter.ts';

const { projects, auditEvents } = schema;

/** A reverter of project names over the real table, with no policy to ask. */
const nameReverter: Reverter = {
  resourceType: 'project',
  actions: ['project.update'],
  async authorize() {},
  async current(db, change) {
    const [row] = await db.select().from(projects).where(eq(projects.id, change.resourceId));
    return row ? { name: row.name } : null;
  },
  async restore(db, change) {
    const { name } = change.before as { name: string };
    await db.update(projects).set({ name }).where(eq(projects.id, change.resourceId));
    return { name };
  },
};

function event(overrides: Partial<ChainedAuditEvent>): ChainedAuditEvent {
  return {
    seq: 1,
    id: crypto.randomUUID(),
    occurredAt: new Date(),
    actorUserId: null,
    actorClient: null,
    actorPlugin: null,
    source: 'server',
    action: 'project.update',
    resourceType: 'project',
    resourceId: crypto.randomUUID(),
    projectId: null,
    outcome: 'ok',
    requestId: null,
    ip: null,
    sessionId: null,
    details: null,
    before: { name: 'A' },
    after: { name: 'B' },
    prevHash: '',
    hash: '',
    ...overrides,
  };
}

describe('revertibleChange', () => {
  it('takes a recorded change as it is, and a revert as the change it reverted', () => {
    const change = revertibleChange(event({ details: { snapshotId: 's-1' } }));
    expect(change).toMatchObject({ action: 'project.update', snapshotId: 's-1' });
    const revert = revertibleChange(
      event({
        action: 'audit.revert',
        details: { revertedAction: 'project.delete', revertedEventId: 'x' },
        before: null,
        after: { name: 'A' },
      }),
    );
    expect(revert).toMatchObject({ action: 'project.delete', before: null, after: { name: 'A' } });
    expect(undoingKind(revert)).toBe('remove');
    expect(undoingKind({ ...revert, before: { name: 'A' }, after: null })).toBe('recreate');
    expect(undoingKind(change)).toBe('update');
  });

  it.each([
    ['a denial', { outcome: 'denied' as const }],
    ['an error', { outcome: 'error' as const }],
    ["a browser's report", { source: 'client' as const }],
    ['no resource', { resourceId: null }],
    ['no states', { before: null, after: null }],
    ['a revert that names no action', { action: 'audit.revert', details: { revertedAction: 7 } }],
  ])('refuses %s (422 not_revertible)', (_name, overrides) => {
    expect(() => revertibleChange(event(overrides))).toThrow(NotRevertibleError);
  });
});

describe('createRevertEngine', () => {
  it('refuses two reverters for the same action', () => {
    expect(() => createRevertEngine([nameReverter, nameReverter])).toThrow(/two reverters/);
  });
});

describe.each(storeTargets())('the revert engine on $name', (target) => {
  let store: TestStore;
  let audit: AuditTrail;
  const engine = createRevertEngine([nameReverter]);
  const context = {} as Context<AppEnv>;

  beforeAll(async () => {
    store = await target.open();
    audit = createAuditTrail({
      db: store.db,
      logger: createLogger({ level: 'silent', format: 'json' }),
      mirrorToLog: false,
    });
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const run = (visible: RevertRun['visible'] = null): RevertRun => ({
    db: store.db,
    audit,
    actor: { actorUserId: null, actorClient: 'test' },
    context,
    visible,
  });

  async function renamed(
    from: string,
    to: string,
    id: string = crypto.randomUUID(),
    actor?: string,
  ) {
    const now = new Date();
    await store.db
      .insert(projects)
      .values({ id, name: to, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: projects.id, set: { name: to } });
    const input: AuditEventInput = {
      action: 'project.update',
      resourceType: 'project',
      resourceId: id,
      outcome: 'ok',
      actorUserId: actor ?? null,
      before: { name: from } satisfies JsonValue,
      after: { name: to } satisfies JsonValue,
    };
    return audit.record(input);
  }

  it('restores the state before and records the revert pointing at the event', async () => {
    const change = await renamed('Before', 'After');
    const revert = await engine.revert(change, run());
    const [row] = await store.db.select().from(projects).where(eq(projects.id, change.resourceId!));
    expect(row?.name).toBe('Before');
    expect(revert).toMatchObject({
      action: 'audit.revert',
      actorClient: 'test',
      before: { name: 'After' },
      after: { name: 'Before' },
      details: {
        revertedEventId: change.id,
        revertedAction: 'project.update',
        revertedSeq: change.seq,
      },
    });
    expect(await engine.isReverted(store.db, change)).toBe(true);
  });

  it('answers 422 for an action no reverter undoes', async () => {
    const other = await audit.record({
      action: 'project.archive',
      resourceType: 'project',
      resourceId: crypto.randomUUID(),
      outcome: 'ok',
      after: { archived: true },
    });
    await expect(engine.revert(other, run())).rejects.toThrow(NotRevertibleError);
  });

  it('names the later change only when the caller may see it', async () => {
    const first = await renamed('One', 'Two');
    const second = await renamed('Two', 'Three', first.resourceId!, 'someone-else');
    const seen = await engine.revert(first, run()).catch((error: unknown) => error);
    expect(seen).toBeInstanceOf(RevertConflictError);
    expect((seen as RevertConflictError).laterEventId).toBe(second.id);

    const hidden = await engine
      .revert(first, run(sql`${auditEvents.actorUserId} is null`))
      .catch((error: unknown) => error);
    expect(hidden).toBeInstanceOf(RevertConflictError);
    expect((hidden as RevertConflictError).laterEventId).toBeNull();
    expect((hidden as Error).message).not.toContain(second.id);
  });

  it('refuses a state changed outside the trail, writing nothing', async () => {
    const change = await renamed('X', 'Y');
    await store.db.update(projects).set({ name: 'Z' }).where(eq(projects.id, change.resourceId!));
    const before = await store.rows(sql`select count(*)::int as count from audit_events`);
    await expect(engine.revert(change, run())).rejects.toThrow(/no later change on record/);
    expect(await store.rows(sql`select count(*)::int as count from audit_events`)).toEqual(before);
  });

  it('turns a restore that clashes with the data into a 409, and rolls everything back', async () => {
    const clashing = createRevertEngine([
      {
        ...nameReverter,
        async restore(db, change) {
          await db.update(projects).set({ name: 'half' }).where(eq(projects.id, change.resourceId));
          await db.execute(sql`insert into project_members (id, project_id, role, created_at)
            values (${crypto.randomUUID()}, ${crypto.randomUUID()}, 'owner', now())`);
          return null;
        },
      },
    ]);
    const change = await renamed('P', 'Q');
    const error = await clashing.revert(change, run()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(RevertConflictError);
    expect((error as Error).message).toMatch(/clashes with the data as it is now/);
    const [row] = await store.db.select().from(projects).where(eq(projects.id, change.resourceId!));
    expect(row?.name).toBe('Q');
    expect(await engine.isReverted(store.db, change)).toBe(false);
  });
});
