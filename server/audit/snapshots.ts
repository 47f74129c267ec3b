/**
 * Snapshots of the rows a deletion removes, so that reverting the deletion puts them back with
 * their ids. PostgreSQL itself turns each row into JSON (`to_jsonb`) and back
 * (`jsonb_populate_record`), so every column type, bytes included, survives the trip unchanged
 * and no feature has to describe its columns twice.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../store/index.ts';

/** One table's rows to keep: `where` selects them (alias-free, on the table's own columns). */
export interface SnapshotPart {
  table: string;
  where: SQL;
}

/**
 * Copies the rows into a new snapshot, parents first (restore inserts in the same order), and
 * returns its id for the deletion's audit event (`details.snapshotId`). Call it in the
 * deletion's transaction, before deleting.
 *
 * @example
 * const snapshotId = await captureRows(db, [
 *   { table: 'datasets', where: sql`id = ${id}` },
 *   { table: 'dataset_versions', where: sql`dataset_id = ${id}` },
 * ]);
 */
export async function captureRows(db: Database, parts: readonly SnapshotPart[]): Promise<string> {
  const snapshotId = crypto.randomUUID();
  let position = 0;
  for (const part of parts) {
    const result = await db.execute(sql`
      insert into revert_snapshot_rows (snapshot_id, position, table_name, row_data)
      select ${snapshotId}, ${position} + (row_number() over ())::int - 1, ${part.table}, to_jsonb(t)
      from ${sql.identifier(part.table)} t where ${part.where}`);
    position += rowCount(result);
  }
  return snapshotId;
}

function rowCount(result: unknown): number {
  const { rowCount: pgCount, affectedRows } = result as {
    rowCount?: number | null;
    affectedRows?: number;
  };
  return pgCount ?? affectedRows ?? 0;
}

/**
 * Inserts a snapshot's rows again, in the order they were captured, with every column as it was.
 * Returns how many rows it restored; 0 when the snapshot does not exist.
 *
 * @example
 * await restoreRows(db, event.details.snapshotId);
 */
export async function restoreRows(db: Database, snapshotId: string): Promise<number> {
  const rows = (
    (await db.execute(sql`
      select position, table_name, row_data from revert_snapshot_rows
      where snapshot_id = ${snapshotId} order by position`)) as unknown as {
      rows: { position: number; table_name: string; row_data: unknown }[];
    }
  ).rows;
  for (const row of rows) {
    const table = sql.identifier(row.table_name);
    await db.execute(sql`
      insert into ${table}
      select * from jsonb_populate_record(null::${table}, ${JSON.stringify(row.row_data)}::jsonb)`);
  }
  return rows.length;
}
