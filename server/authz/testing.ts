/**
 * Test support for the rules about who holds a resource: groups and accounts written straight
 * into the store, for states the API does not make in one step (an empty group, a group nested
 * in another, an account that is disabled).
 */
import { schema, type Database } from '../store/index.ts';

/**
 * A local group with these direct members and these subgroups.
 *
 * @example
 * const team = await insertGroup(db, 'team', { members: [daveId], subgroups: [subteamId] });
 */
export async function insertGroup(
  db: Database,
  name: string,
  { members = [], subgroups = [] }: { members?: string[]; subgroups?: string[] } = {},
): Promise<string> {
  const id = crypto.randomUUID();
  await db.insert(schema.groups).values({ id, name, source: 'local', createdAt: new Date() });
  for (const userId of members) {
    await db.insert(schema.groupMembers).values({ groupId: id, userId });
  }
  for (const childGroupId of subgroups) {
    await db.insert(schema.groupNesting).values({ parentGroupId: id, childGroupId });
  }
  return id;
}

/**
 * A local account that exists but is disabled: it can no longer sign in or act.
 *
 * @example
 * const former = await insertDisabledUser(db, 'former-colleague');
 */
export async function insertDisabledUser(db: Database, username: string): Promise<string> {
  const id = crypto.randomUUID();
  const now = new Date();
  await db.insert(schema.users).values({
    id,
    username,
    displayName: username,
    systemRole: 'user',
    source: 'local',
    disabled: true,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}
