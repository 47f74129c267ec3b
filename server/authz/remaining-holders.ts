/**
 * "The last owner cannot be removed", for every resource that must keep someone in charge (a
 * project's Owner, a connection's `edit`): a change is refused when, after it, no enabled user
 * would hold the top level any more. Grants are not people: an owner grant to an empty group, or
 * to a disabled account, leaves nobody who can act, so only grants that reach an enabled user
 * count (a user grant to an enabled account, or a group grant whose group has an enabled member,
 * directly or through nested subgroups).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../store/index.ts';
import type { Grantee } from './policy.ts';

/** Who holds a grant, as far as the rule needs to know. */
export type GranteeRef = Pick<Grantee, 'type' | 'id'>;

/** A change to the grants of one resource. */
export type GrantChange<Level extends string> =
  /** One grantee's grant set to `level`, or removed (null). */
  | { grantee: GranteeRef; level: Level | null }
  /** A group deleted: its grants go, and its members stop counting for the groups above it. */
  | { deletedGroupId: string };

function sameGrantee(a: GranteeRef, b: GranteeRef): boolean {
  return a.type === b.type && a.id === b.id;
}

function uuidArray(ids: readonly string[]) {
  return sql`array[${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )}]::uuid[]`;
}

/**
 * Whether any of the grantees is an enabled user, or a group with an enabled member (directly or
 * through its nested subgroups). `withoutGroupId` leaves that group out, as if it were deleted.
 *
 * @example
 * await reachesAnEnabledUser(db, [{ type: 'group', id: chemistsId }]); // false for an empty group
 */
export async function reachesAnEnabledUser(
  db: Database,
  grantees: readonly GranteeRef[],
  withoutGroupId?: string,
): Promise<boolean> {
  const userIds = grantees.filter((grantee) => grantee.type === 'user').map(({ id }) => id);
  const groupIds = grantees
    .filter((grantee) => grantee.type === 'group' && grantee.id !== withoutGroupId)
    .map(({ id }) => id);
  if (userIds.length === 0 && groupIds.length === 0) return false;
  const skipDeleted = withoutGroupId
    ? sql`where n.child_group_id <> ${withoutGroupId}::uuid`
    : sql``;
  // Members of a nested group are members of the group it is nested in, so the walk goes from
  // each granted group down to its subgroups; `union` ends it even on a cycle.
  const rows = (await db.execute(sql`
    with recursive reach(id) as (
      select unnest(${uuidArray(groupIds)})
      union
      select n.child_group_id from group_nesting n join reach on n.parent_group_id = reach.id
      ${skipDeleted}
    )
    select exists (
      select 1 from users u
      where not u.disabled
        and (u.id = any(${uuidArray(userIds)})
          or u.id in (select gm.user_id from group_members gm join reach on gm.group_id = reach.id))
    ) as "reached"
  `)) as unknown as { rows: { reached: boolean }[] };
  return rows.rows[0]?.reached === true;
}

/**
 * Whether, after the change, an enabled user still holds `top` (the highest level: a project's
 * `owner`, a connection's `edit`) through the resource's grants. A change that takes `top` from
 * no grantee keeps things as they are and always passes.
 *
 * @example
 * const change = { grantee: { type: 'user', id: bobId }, level: 'editor' };
 * if (!(await keepsAnEnabledHolder(db, 'owner', grants, change))) throw lastOwner();
 */
export async function keepsAnEnabledHolder<Level extends string>(
  db: Database,
  top: Level,
  grants: readonly { grantee: GranteeRef; level: Level }[],
  change: GrantChange<Level>,
): Promise<boolean> {
  const target: GranteeRef =
    'deletedGroupId' in change ? { type: 'group', id: change.deletedGroupId } : change.grantee;
  const keepsTop = 'level' in change && change.level === top;
  const holders = grants.filter((grant) => grant.level === top).map((grant) => grant.grantee);
  if (keepsTop || !holders.some((holder) => sameGrantee(holder, target))) return true;
  return reachesAnEnabledUser(
    db,
    holders.filter((holder) => !sameGrantee(holder, target)),
    'deletedGroupId' in change ? change.deletedGroupId : undefined,
  );
}
