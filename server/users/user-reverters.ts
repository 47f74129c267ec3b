/**
 * How the audit trail undoes an Admin's change to an account (`user.update`): the system role,
 * the disabled flag and the display name go back to what the event recorded before. It goes
 * through the route's own `changeAccount`, so a revert keeps the rules that keep an enabled
 * admin (the reverting Admin must still be one and may not demote or disable themselves) and
 * never touches a password: states hold none, and a reset is not revertible.
 */
import { eq } from 'drizzle-orm';
import type { Reverter } from '../audit/index.ts';
import { requestActor, requireAccess } from '../authz/index.ts';
import { ForbiddenError } from '../errors/index.ts';
import { endSignInsOf } from '../identity/index.ts';
import { schema } from '../store/index.ts';
import { accountState, changeAccount, type AccountChanges } from './user-routes.ts';

const { users } = schema;

const userUpdateReverter: Reverter = {
  resourceType: 'user',
  actions: ['user.update'],
  async authorize(c) {
    await requireAccess(c, 'user.manage', { type: 'system' });
  },
  async current(db, change) {
    const [row] = await db
      .select()
      .from(users)
      .where(eq(users.id, change.resourceId))
      .for('update');
    return row ? accountState(row) : null;
  },
  async restore(db, change, c) {
    const target = change.before as AccountChanges | null;
    if (target === null) return null;
    const id = change.resourceId;
    const result = await changeAccount(db, c.var.principal.userId, id, {
      systemRole: target.systemRole,
      disabled: target.disabled,
      displayName: target.displayName,
    });
    // The policy allowed it a moment ago; another admin demoted the caller since.
    if ('refused' in result) throw new ForbiddenError(result.refused);
    const row = result.after ?? result.before;
    if (result.after?.disabled && !result.before.disabled) {
      // As the route does after disabling: old tokens must not work again once re-enabled.
      const ended = await endSignInsOf(db, id);
      await c.var.audit.record(
        {
          ...requestActor(c),
          action: 'user.sign-ins.end',
          resourceType: 'user',
          resourceId: id,
          outcome: 'ok',
          details: { reason: 'account disabled', recordsRemoved: ended },
        },
        db,
      );
    }
    return accountState(row);
  },
};

/**
 * The reverters of the user folder, for the revert engine (server/audit).
 *
 * @example
 * createRevertEngine([...userReverters]);
 */
export const userReverters: readonly Reverter[] = [userUpdateReverter];
