/**
 * How the audit trail undoes dashboard changes (see server/audit/reverter.ts): a creation is
 * undone by deleting, an edit by saving the earlier title and spec again (as a new version, so
 * an old `ETag` never matches by accident), a deletion by putting the row back from its snapshot.
 * Like a hand-made change, a revert that brings back connection queries needs the right to run
 * them.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  NotRevertibleError,
  captureRevertedRows,
  restoreRows,
  undoingKind,
  type Reverter,
  type JsonValue,
  type RevertibleChange,
} from '../audit/index.ts';
import { loadResourceFacts, requireAccess } from '../authz/index.ts';
import { ConflictError } from '../errors/index.ts';
import { schema, type Database } from '../store/index.ts';
import {
  addedQueries,
  dashboardState,
  requireQueryRights,
  type DashboardRow,
} from './dashboard-routes.ts';
import { DashboardSpecSchema, type DashboardSpec } from './dashboard-spec.ts';

const { dashboards } = schema;

const DashboardStateSchema = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  title: z.string(),
  spec: DashboardSpecSchema,
});

function recorded(change: RevertibleChange, state: 'before' | 'after') {
  const parsed = DashboardStateSchema.safeParse(change[state]);
  if (!parsed.success) {
    throw new NotRevertibleError(
      `Event ${change.event.id} recorded the dashboard in a form this server no longer restores.`,
    );
  }
  return { ...parsed.data, spec: parsed.data.spec as DashboardSpec };
}

/** The dashboard's state as recorded; its spec is the JSON that was validated when saved. */
const stateOf = (row: DashboardRow) => dashboardState(row) as JsonValue;

async function lockedDashboard(db: Database, id: string) {
  const [row] = await db.select().from(dashboards).where(eq(dashboards.id, id)).for('update');
  return row;
}

const dashboardReverter: Reverter = {
  resourceType: 'dashboard',
  actions: ['dashboard.create', 'dashboard.update', 'dashboard.delete'],
  async authorize(c, change) {
    const ref = { type: 'dashboard', id: change.resourceId } as const;
    const kind = undoingKind(change);
    if (kind === 'remove') {
      await requireAccess(c, 'dashboard.delete', ref);
      return;
    }
    const before = recorded(change, 'before');
    if (kind === 'update') {
      await requireAccess(c, 'dashboard.update', ref);
      await requireQueryRights(c, addedQueries(recorded(change, 'after').spec, before.spec));
      return;
    }
    const project = { type: 'project', id: before.projectId } as const;
    if (!(await loadResourceFacts(c.var.store.db, project))) {
      throw new ConflictError(
        `The dashboard's project ${before.projectId} no longer exists; revert its deletion first.`,
        'revert_conflict',
      );
    }
    await requireAccess(c, 'dashboard.create', project);
    await requireQueryRights(c, addedQueries(null, before.spec));
  },
  async current(db, change) {
    const row = await lockedDashboard(db, change.resourceId);
    return row ? stateOf(row) : null;
  },
  async restore(db, change) {
    const id = change.resourceId;
    const kind = undoingKind(change);
    if (kind === 'remove') {
      await captureRevertedRows(db, change, [{ table: 'dashboards', where: sql`id = ${id}` }]);
      await db.delete(dashboards).where(eq(dashboards.id, id));
      return null;
    }
    if (kind === 'recreate') {
      if (!change.snapshotId || (await restoreRows(db, change.snapshotId)) === 0) {
        throw new NotRevertibleError(
          `Event ${change.event.id} kept no snapshot of the dashboard to put back.`,
        );
      }
    } else {
      const before = recorded(change, 'before');
      const current = await lockedDashboard(db, id);
      if (!current) throw new Error(`the dashboard ${id} vanished under its lock`);
      await db
        .update(dashboards)
        .set({
          title: before.title,
          spec: before.spec,
          updatedAt: new Date(Math.max(Date.now(), current.updatedAt.getTime() + 1)),
        })
        .where(eq(dashboards.id, id));
    }
    const row = await lockedDashboard(db, id);
    if (!row) throw new Error(`the restored dashboard ${id} is missing`);
    return stateOf(row);
  },
};

/**
 * The reverters of the dashboards folder, for the revert engine.
 *
 * @example
 * revertRoutes({ reverters: [...projectReverters, ...dashboardReverters] });
 */
export const dashboardReverters: readonly Reverter[] = [dashboardReverter];
