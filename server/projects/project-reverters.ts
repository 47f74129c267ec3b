/**
 * How the audit trail undoes project changes (see server/audit/reverter.ts): a project's
 * creation, renaming and deletion (put back from its snapshot with its members, dashboards and
 * datasets, ids and all), and each change of a member's role. The policy is asked for the change
 * the revert makes, as if the caller made it by hand now.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import {
  NotRevertibleError,
  captureRevertedRows,
  restoreRows,
  undoingKind,
  type Reverter,
  type RevertibleChange,
} from '../audit/index.ts';
import { loadResourceFacts, requireAccess } from '../authz/index.ts';
import { ConflictError } from '../errors/index.ts';
import { schema, type Database } from '../store/index.ts';
import {
  ensureAnOwnerRemains,
  loadMembers,
  principalColumn,
  principalName,
  projectRows,
  projectState,
} from './project-routes.ts';

const { projects, projectMembers } = schema;

const ProjectStateSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  tags: z.record(z.string(), z.string()),
});

const MemberStateSchema = z.object({
  principal: z.object({ type: z.enum(['user', 'group']), id: z.uuid(), name: z.string() }),
  role: z.enum(['owner', 'editor', 'viewer']),
});

function parsedState<Schema extends z.ZodType>(
  schemaOfState: Schema,
  change: RevertibleChange,
): z.infer<Schema> {
  const parsed = schemaOfState.safeParse(change.before);
  if (!parsed.success) {
    throw new NotRevertibleError(
      `Event ${change.event.id} recorded the ${change.resourceType} in a form this server no longer restores.`,
    );
  }
  return parsed.data;
}

async function lockedProject(db: Database, id: string) {
  const [row] = await db.select().from(projects).where(eq(projects.id, id)).for('update');
  return row;
}

const projectReverter: Reverter = {
  resourceType: 'project',
  actions: ['project.create', 'project.update', 'project.delete'],
  async authorize(c, change) {
    const ref = { type: 'project', id: change.resourceId } as const;
    const kind = undoingKind(change);
    if (kind === 'remove') await requireAccess(c, 'project.delete', ref);
    else if (kind === 'recreate') await requireAccess(c, 'project.create', { type: 'system' });
    else await requireAccess(c, 'project.update', ref);
  },
  async current(db, change) {
    const row = await lockedProject(db, change.resourceId);
    return row ? projectState(row) : null;
  },
  async restore(db, change) {
    const id = change.resourceId;
    const kind = undoingKind(change);
    if (kind === 'remove') {
      await captureRevertedRows(db, change, projectRows(id));
      await db.delete(projects).where(eq(projects.id, id));
      return null;
    }
    if (kind === 'recreate') {
      if (!change.snapshotId || (await restoreRows(db, change.snapshotId)) === 0) {
        throw new NotRevertibleError(
          `Event ${change.event.id} kept no snapshot of the project's rows to put back.`,
        );
      }
    } else {
      const before = parsedState(ProjectStateSchema, change);
      await db
        .update(projects)
        .set({ name: before.name, description: before.description, updatedAt: new Date() })
        .where(eq(projects.id, id));
    }
    const row = await lockedProject(db, id);
    if (!row) throw new Error(`the restored project ${id} is missing`);
    return projectState(row);
  },
};

/** `{projectId}/{user|group}/{principalId}`, the resource id of a member event. */
function memberRef(change: RevertibleChange) {
  const match = /^([0-9a-f-]{36})\/(user|group)\/([0-9a-f-]{36})$/.exec(change.resourceId);
  if (!match) {
    throw new NotRevertibleError(`Event ${change.event.id} names no project member.`);
  }
  return { projectId: match[1]!, type: match[2] as 'user' | 'group', id: match[3]! };
}

async function memberState(db: Database, ref: ReturnType<typeof memberRef>) {
  const members = await loadMembers(db, ref.projectId);
  const member = members.find(
    (candidate) => candidate.principal.type === ref.type && candidate.principal.id === ref.id,
  );
  if (!member) return { members, state: null };
  const { type, id, name } = member.principal;
  return { members, state: { principal: { type, id, name }, role: member.role } };
}

const projectMemberReverter: Reverter = {
  resourceType: 'project_member',
  actions: ['project.members.update', 'project.members.remove'],
  async authorize(c: Context<AppEnv>, change) {
    const { projectId } = memberRef(change);
    const ref = { type: 'project', id: projectId } as const;
    if (!(await loadResourceFacts(c.var.store.db, ref))) {
      throw new ConflictError(
        `The project ${projectId} no longer exists; revert its deletion first.`,
        'revert_conflict',
      );
    }
    await requireAccess(c, 'project.members.manage', ref);
  },
  async current(db, change) {
    const ref = memberRef(change);
    // Member changes of one project take turns on its row, as the member routes do.
    await lockedProject(db, ref.projectId);
    return (await memberState(db, ref)).state;
  },
  async restore(db, change) {
    const ref = memberRef(change);
    const target = change.before === null ? null : parsedState(MemberStateSchema, change);
    const { members, state } = await memberState(db, ref);
    await ensureAnOwnerRemains(db, members, ref, target?.role ?? null);
    const grant = and(
      eq(projectMembers.projectId, ref.projectId),
      eq(principalColumn(ref.type), ref.id),
    );
    if (target === null) {
      await db.delete(projectMembers).where(grant);
    } else if (state) {
      await db.update(projectMembers).set({ role: target.role }).where(grant);
    } else {
      if ((await principalName(db, ref.type, ref.id)) === undefined) {
        throw new ConflictError(
          `The ${ref.type} ${ref.id} no longer exists, so its role cannot be given back.`,
          'revert_conflict',
        );
      }
      await db.insert(projectMembers).values({
        id: crypto.randomUUID(),
        projectId: ref.projectId,
        ...(ref.type === 'user' ? { userId: ref.id } : { groupId: ref.id }),
        role: target.role,
        createdAt: new Date(),
      });
    }
    return (await memberState(db, ref)).state;
  },
};

/**
 * The reverters of the projects folder, for the revert engine.
 *
 * @example
 * revertRoutes({ reverters: [...projectReverters, ...dashboardReverters] });
 */
export const projectReverters: readonly Reverter[] = [projectReverter, projectMemberReverter];
