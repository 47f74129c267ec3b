/**
 * What a feature hands the audit trail so that its recorded changes can be reverted. The audit
 * folder owns the revert flow (find the event, check the resource is still in the event's
 * `after` state, ask the feature to restore `before`, record the revert); each feature owns how
 * its resources are read, authorised and written, so the audit folder knows no feature's tables.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Database } from '../store/index.ts';
import type { ChainedAuditEvent, JsonValue } from './chain.ts';

/**
 * The change a revert undoes. For an event that itself was a revert (`audit.revert`), `action`
 * is the action it reverted and `before`/`after` are the revert's own states, so reverting a
 * revert redoes the change with the same reverter.
 */
export interface RevertibleChange {
  event: ChainedAuditEvent;
  action: string;
  resourceType: string;
  resourceId: string;
  before: JsonValue | null;
  after: JsonValue | null;
  /** `details.snapshotId` of a deletion: the rows to put back (see `snapshots.ts`). */
  snapshotId: string | null;
}

/** Undoes the recorded changes of one resource type. */
export interface Reverter {
  /** `event.resourceType` of the events it undoes. */
  resourceType: string;
  /** The actions it undoes; other actions on the type are answered `not_revertible`. */
  actions: readonly string[];
  /**
   * Asks the policy whether the caller may make the undoing change now, and throws the answer
   * when not (through `requireAccess`/`refuseAccess`, so the denial is audited). Called before
   * anything is written.
   */
  authorize(c: Context<AppEnv>, change: RevertibleChange): Promise<void>;
  /**
   * The resource's current state in the shape the change recorded (`null`: it does not exist),
   * read inside the revert's transaction and locked against concurrent writers.
   */
  current(db: Database, change: RevertibleChange, c: Context<AppEnv>): Promise<JsonValue | null>;
  /**
   * Brings the resource back to `change.before` (`null`: removes it; a deletion is undone from
   * its snapshot, with its id) and returns the state it now has, in the same shape.
   */
  restore(db: Database, change: RevertibleChange, c: Context<AppEnv>): Promise<JsonValue | null>;
}
