/**
 * How the audit trail's revert undoes dataset changes (see server/audit/reverter.ts): a creation
 * by deleting the dataset, a deletion by putting the dataset and every version back from the
 * deletion's snapshot (ids, sealed bytes and wrapped key as they were), an upload by removing
 * that version and making the one before it the latest again. Whatever a revert removes it
 * snapshots first, so reverting the revert puts it back. The states read and returned are exactly
 * those the routes record, so the engine can compare them with the events.
 *
 * `current`/`restore` run in the revert's own transaction on the server's role; `authorize` asks
 * the policy for the undoing change as if the caller made it by hand now.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import {
  NotRevertibleError,
  captureRevertedRows,
  restoreRows,
  undoingKind,
  type JsonValue,
  type Reverter,
  type RevertibleChange,
} from '../audit/index.ts';
import { requireAccess } from '../authz/index.ts';
import { ConflictError } from '../errors/index.ts';
import { schema, type Database } from '../store/index.ts';
import { datasetState, loadVersions, versionMetaColumns, versionState } from './dataset-routes.ts';

const { datasets, datasetVersions, projects } = schema;

type DatasetRow = typeof datasets.$inferSelect;

function isRecord(value: JsonValue | null | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An upload's state: `latestVersion` and, when the state names one, that version's number. */
function uploadState(value: JsonValue | null): { latestVersion: number; version?: number } | null {
  if (!isRecord(value) || typeof value.latestVersion !== 'number') return null;
  const version = value.version;
  if (isRecord(version) && typeof version.number === 'number') {
    return { latestVersion: value.latestVersion, version: version.number };
  }
  return { latestVersion: value.latestVersion };
}

async function lockedRow(db: Database, id: string): Promise<DatasetRow | undefined> {
  const [row] = await db.select().from(datasets).where(eq(datasets.id, id)).for('update');
  return row;
}

/** Refuses, as a conflict, a revert on a dataset deleted since (the engine names the deletion). */
async function requireExistingDataset(c: Context<AppEnv>, id: string) {
  const [row] = await c.var.store.db
    .select({ id: datasets.id })
    .from(datasets)
    .where(eq(datasets.id, id));
  if (!row) {
    throw new ConflictError(
      `Dataset ${id} no longer exists: it was deleted after this change. Revert its deletion first.`,
      'revert_conflict',
    );
  }
}

function requireSnapshot(change: RevertibleChange): string {
  if (!change.snapshotId) {
    throw new NotRevertibleError(
      `Event ${change.event.id} kept no snapshot of the dataset it removed, so it cannot be brought back.`,
    );
  }
  return change.snapshotId;
}

/** The state in the shape the action records: a deletion lists the versions, a creation not. */
async function stateFor(db: Database, action: string, row: DatasetRow): Promise<JsonValue> {
  if (action !== 'dataset.delete') return datasetState(row);
  const versions = await loadVersions(db, row.id);
  return {
    ...datasetState(row),
    versions: versions.map(({ meta }) => versionState(meta)),
  } as unknown as JsonValue;
}

/** The dataset and its versions, parents first, as a snapshot restores them. */
function datasetRows(id: string) {
  return [
    { table: 'datasets', where: sql`id = ${id}` },
    { table: 'dataset_versions', where: sql`dataset_id = ${id}` },
  ];
}

/** Creation and deletion: removing deletes the dataset with its versions (snapshotted first). */
const lifecycleReverter: Reverter = {
  resourceType: 'dataset',
  actions: ['dataset.create', 'dataset.delete'],
  async authorize(c, change) {
    if (undoingKind(change) !== 'recreate') {
      await requireExistingDataset(c, change.resourceId);
      await requireAccess(c, 'dataset.delete', { type: 'dataset', id: change.resourceId });
      return;
    }
    requireSnapshot(change);
    const projectId = isRecord(change.before) ? change.before.projectId : undefined;
    if (typeof projectId !== 'string') {
      throw new NotRevertibleError(`Event ${change.event.id} records no project for the dataset.`);
    }
    const [project] = await c.var.store.db
      .select({ id: projects.id })
      .from(projects)
      .where(eq(projects.id, projectId));
    if (!project) {
      throw new ConflictError(
        `The dataset's project ${projectId} no longer exists; restore the project first.`,
        'revert_conflict',
      );
    }
    await requireAccess(c, 'dataset.create', { type: 'project', id: projectId });
  },
  async current(db, change) {
    const row = await lockedRow(db, change.resourceId);
    return row ? stateFor(db, change.action, row) : null;
  },
  async restore(db, change) {
    const id = change.resourceId;
    if (undoingKind(change) === 'remove') {
      await captureRevertedRows(db, change, datasetRows(id));
      await db.delete(datasets).where(eq(datasets.id, id));
      return null;
    }
    if ((await restoreRows(db, requireSnapshot(change))) === 0) {
      throw new NotRevertibleError(`The snapshot of dataset ${id} is gone.`);
    }
    const row = await lockedRow(db, id);
    if (!row) throw new Error('the snapshot did not hold the dataset it was taken of');
    return stateFor(db, change.action, row);
  },
};

/**
 * An upload (`{ latestVersion, version }` after, `{ latestVersion }` before), undone by removing
 * the version and making the previous one the latest again. Versions are otherwise immutable (a
 * trigger refuses UPDATE), so the removal is a DELETE; the removed row is snapshotted, so that
 * reverting the revert puts the very same sealed version back.
 */
const uploadReverter: Reverter = {
  resourceType: 'dataset',
  actions: ['dataset.upload'],
  async authorize(c, change) {
    const target = uploadState(change.before);
    const undone = uploadState(change.after);
    if (!target || !undone || (target.version === undefined) === (undone.version === undefined)) {
      throw new NotRevertibleError(`Event ${change.event.id} does not record the versions.`);
    }
    if (target.version !== undefined) requireSnapshot(change);
    await requireExistingDataset(c, change.resourceId);
    await requireAccess(c, 'dataset.upload', { type: 'dataset', id: change.resourceId });
  },
  async current(db, change): Promise<JsonValue | null> {
    const row = await lockedRow(db, change.resourceId);
    if (!row) return null;
    const number = uploadState(change.after)?.version;
    if (number === undefined) return { latestVersion: row.latestVersion };
    return {
      latestVersion: row.latestVersion,
      version: (await versionOf(db, row.id, number)) as unknown as JsonValue,
    };
  },
  async restore(db, change): Promise<JsonValue | null> {
    const id = change.resourceId;
    const target = uploadState(change.before);
    const undone = uploadState(change.after);
    if (!target || !undone) throw new NotRevertibleError('The upload records no versions.');
    if (target.version === undefined && undone.version !== undefined) {
      const where = and(
        eq(datasetVersions.datasetId, id),
        eq(datasetVersions.version, undone.version),
      );
      await captureRevertedRows(db, change, [
        {
          table: 'dataset_versions',
          where: sql`dataset_id = ${id} and version = ${undone.version}`,
        },
      ]);
      await db.delete(datasetVersions).where(where);
    } else if (target.version !== undefined) {
      if ((await restoreRows(db, requireSnapshot(change))) === 0) {
        throw new NotRevertibleError(`The snapshot of version ${String(target.version)} is gone.`);
      }
    }
    await db
      .update(datasets)
      .set({ latestVersion: target.latestVersion, updatedAt: new Date() })
      .where(eq(datasets.id, id));
    if (target.version === undefined) return { latestVersion: target.latestVersion };
    return {
      latestVersion: target.latestVersion,
      version: (await versionOf(db, id, target.version)) as unknown as JsonValue,
    };
  },
};

async function versionOf(db: Database, datasetId: string, number: number) {
  const [meta] = await db
    .select(versionMetaColumns)
    .from(datasetVersions)
    .where(and(eq(datasetVersions.datasetId, datasetId), eq(datasetVersions.version, number)));
  return meta ? versionState(meta) : null;
}

/**
 * The reverters of dataset changes, for the audit trail's revert engine.
 *
 * @example
 * revertRoutes({ reverters: [...datasetReverters, ...connectionReverters] });
 */
export const datasetReverters: readonly Reverter[] = [lifecycleReverter, uploadReverter];
