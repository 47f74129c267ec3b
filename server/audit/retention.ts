/**
 * Audit retention (`AUDIT_RETENTION_DAYS`): events older than the cut move out of the database
 * into a JSON Lines archive file, and the chain's anchor moves to the last archived event, so
 * that the table plus the files still verify end to end.
 *
 * Order matters for crash safety. The file is written and flushed to disk first (named after
 * its range, linked into place only whole; a complete file already there from an interrupted
 * run or another instance is reused, anything else under that name moved aside). Only then,
 * in one transaction, the archive is recorded (which moves the anchor) and the events are
 * deleted. The database allows that delete only in a transaction that set
 * `enclave.audit_archiving` and recorded the archive holding those rows (migration 0010), so no
 * other code path can remove an event.
 */
import { access, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, desc, eq, gt, gte, lt, lte, max, min, sql } from 'drizzle-orm';
import { schema, type Database } from '../store/index.ts';
import {
  ArchiveExistsError,
  ArchiveFileError,
  archiveFileName,
  verifyArchiveFile,
  writeArchiveFile,
  type ArchiveBreakReason,
} from './archive-file.ts';
import { GENESIS_HASH, type AuditOutcome, type ChainHead } from './chain.ts';
import { storedEventsAfter } from './stored-events.ts';

const { auditEvents, auditArchives, revertSnapshotRows } = schema;

const dayMs = 24 * 60 * 60 * 1000;
/** Key of the advisory lock that lets one instance at a time record an archive. */
const archiveLockKey = 0x61726368; // "arch"

export interface AuditRetentionOptions {
  db: Database;
  /** Events older than this many days are archived. */
  retentionDays: number;
  /** Folder the archive files go to (`AUDIT_ARCHIVE_DIR`). */
  archiveDir: string;
  /** The time the cut is measured from; now when absent. */
  now?: Date;
}

/** What one archiving run moved out of the table. */
export interface AuditArchiveResult {
  events: number;
  /** The archive file, as recorded in the database. */
  file: string;
  /** The anchor before the run (the last event of the previous archive, or the genesis). */
  from: ChainHead;
  /** The new anchor: the last archived event. */
  to: ChainHead;
  /** True when a complete file from an interrupted run was found and reused. */
  reusedFile: boolean;
}

/**
 * The anchor the table's events chain on from: the end of the latest archive, or the genesis.
 *
 * @example
 * const anchor = await auditAnchor(store.db); // { seq: 0, hash: '000…' } before any archiving
 */
export async function auditAnchor(db: Database): Promise<ChainHead> {
  const [latest] = await db
    .select({ seq: auditArchives.toSeq, hash: auditArchives.toHash })
    .from(auditArchives)
    .orderBy(desc(auditArchives.toSeq))
    .limit(1);
  return latest ?? { seq: 0, hash: GENESIS_HASH };
}

/**
 * The last position to archive: just before the first event at or after the cut, so that only
 * a gap-free run of old events leaves (an old event recorded after a newer one stays).
 */
async function lastPositionBefore(db: Database, anchorSeq: number, cut: Date): Promise<number> {
  const [kept] = await db
    .select({ seq: min(auditEvents.seq) })
    .from(auditEvents)
    .where(and(gt(auditEvents.seq, anchorSeq), gte(auditEvents.occurredAt, cut)));
  if (kept?.seq != null) return Number(kept.seq) - 1;
  const [last] = await db.select({ seq: max(auditEvents.seq) }).from(auditEvents);
  return last?.seq != null ? Number(last.seq) : anchorSeq;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Raised when an archiving run cannot complete; the events stay in the table. */
export class AuditArchiveError extends Error {
  override readonly name = 'AuditArchiveError';
  readonly code = 'audit_archive_failed';
}

/**
 * Moves the events older than `retentionDays` into a new archive file and out of the table.
 * Returns null when there is nothing to archive, or when another instance archived meanwhile
 * (its archive then stands, and the file this run wrote is removed).
 *
 * @example
 * const result = await archiveAuditEvents({ db: store.db, retentionDays: 365, archiveDir });
 * if (result) console.log(`${result.events} events archived to ${result.file}`);
 */
export async function archiveAuditEvents(
  options: AuditRetentionOptions,
): Promise<AuditArchiveResult | null> {
  const { db, retentionDays, archiveDir } = options;
  const cut = new Date((options.now ?? new Date()).getTime() - retentionDays * dayMs);
  const from = await auditAnchor(db);
  const toSeq = await lastPositionBefore(db, from.seq, cut);
  if (toSeq <= from.seq) return null;
  const [last] = await db
    .select({ hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.seq, toSeq));
  if (!last) throw new AuditArchiveError(`audit event at position ${toSeq} is not in the table`);
  const to = { seq: toSeq, hash: last.hash };
  const file = path.resolve(archiveDir, archiveFileName(from.seq, toSeq));

  // A complete file of this exact range (left by a run that died before its transaction, or
  // just written by another instance) is reused; anything else under that name is moved aside.
  let reusedFile = await holdsRange(file, from, to);
  let createdFile = false;
  if (!reusedFile) {
    try {
      await writeArchiveFile(
        file,
        { type: 'anchor', from, to },
        storedEventsAfter(db, from.seq, toSeq),
      );
      createdFile = true;
    } catch (error) {
      if (error instanceof ArchiveExistsError && (await holdsRange(file, from, to))) {
        reusedFile = true;
      } else if (
        (error instanceof ArchiveFileError || error instanceof ArchiveExistsError) &&
        (await anchorMovedFrom(db, from))
      ) {
        // Another instance archived these events meanwhile: they vanished while this run read
        // them, or the file of a run that then stood down was there and is gone again.
        return null;
      } else {
        throw new AuditArchiveError(
          `cannot write the archive ${file}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  const events = toSeq - from.seq;
  const recorded = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${archiveLockKey})`);
    const anchor = await auditAnchor(tx as unknown as Database);
    if (anchor.seq !== from.seq || anchor.hash !== from.hash) return false;
    await tx.execute(sql`select set_config('enclave.audit_archiving', 'on', true)`);
    await tx.insert(auditArchives).values({
      fromSeq: from.seq,
      fromHash: from.hash,
      toSeq,
      toHash: to.hash,
      events,
      filePath: file,
    });
    const deleted = await tx
      .delete(auditEvents)
      .where(and(gt(auditEvents.seq, from.seq), lte(auditEvents.seq, toSeq)))
      .returning({ seq: auditEvents.seq });
    if (deleted.length !== events) {
      throw new AuditArchiveError(
        `expected to remove ${events} archived events but found ${deleted.length}`,
      );
    }
    // The rows deleted resources left for their revert go with the events that could revert
    // them: an archived event is no longer revertible, and a deletion should not outlive it.
    await tx.delete(revertSnapshotRows).where(lt(revertSnapshotRows.createdAt, cut));
    return true;
  });
  if (recorded) return { events, file, from, to, reusedFile };
  if (createdFile) await removeUnlessRecorded(db, file);
  return null;
}

async function anchorMovedFrom(db: Database, from: ChainHead): Promise<boolean> {
  const anchor = await auditAnchor(db);
  return anchor.seq !== from.seq || anchor.hash !== from.hash;
}

/**
 * Another instance archived first and its archive stands. The file this run created is removed
 * unless that archive recorded it: any other run that could still record it started from the
 * same, now stale, anchor and stands down as well.
 */
async function removeUnlessRecorded(db: Database, file: string): Promise<void> {
  const [recorded] = await db
    .select({ toSeq: auditArchives.toSeq })
    .from(auditArchives)
    .where(eq(auditArchives.filePath, file));
  if (!recorded) await rm(file, { force: true });
}

/** Whether `file` is a complete archive of exactly this range; an unfit file is moved aside. */
async function holdsRange(file: string, from: ChainHead, to: ChainHead): Promise<boolean> {
  if (!(await exists(file))) return false;
  if ((await verifyArchiveFile(file, { from, to })).ok) return true;
  await rename(file, `${file}.rejected-${Date.now()}`);
  return false;
}

/** Where verifying the archive files stopped, naming the file. */
export interface ArchiveBreak {
  file: string;
  reason: ArchiveBreakReason | 'archive_gap';
  event: { seq: number; id: string } | null;
  message: string;
}

export type ArchivesVerification =
  | { ok: true; events: number; files: number; anchor: ChainHead }
  | { ok: false; events: number; files: number; broken: ArchiveBreak };

/**
 * Verifies every recorded archive file, in chain order: each must hold exactly the stretch the
 * database recorded, and each must start where the one before ended (the first at the genesis).
 * `anchor` on success is where the table's events must continue.
 *
 * @example
 * const archives = await verifyAuditArchives(store.db);
 * if (!archives.ok) console.log(archives.broken.file, archives.broken.message);
 */
export async function verifyAuditArchives(db: Database): Promise<ArchivesVerification> {
  const rows = await db.select().from(auditArchives).orderBy(asc(auditArchives.toSeq));
  let anchor: ChainHead = { seq: 0, hash: GENESIS_HASH };
  let events = 0;
  let files = 0;
  for (const row of rows) {
    const from = { seq: row.fromSeq, hash: row.fromHash };
    const to = { seq: row.toSeq, hash: row.toHash };
    if (from.seq !== anchor.seq || from.hash !== anchor.hash) {
      return {
        ok: false,
        events,
        files,
        broken: {
          file: row.filePath,
          reason: 'archive_gap',
          event: null,
          message:
            `Archive file ${path.basename(row.filePath)} is recorded to start after position ` +
            `${from.seq}, but the archives before it end at position ${anchor.seq} with another hash.`,
        },
      };
    }
    const result = await verifyArchiveFile(row.filePath, { from, to });
    if (!result.ok) {
      return {
        ok: false,
        events: events + result.events,
        files,
        broken: {
          file: row.filePath,
          reason: result.reason,
          event: result.event,
          message: result.message,
        },
      };
    }
    events += result.events;
    files += 1;
    anchor = to;
  }
  return { ok: true, events, files, anchor };
}

/** What the schedule archives, and where each run reports to. */
export interface AuditRetentionScheduleOptions extends Omit<
  AuditRetentionOptions,
  'now' | 'retentionDays'
> {
  /** `AUDIT_RETENTION_DAYS`; undefined keeps every event and schedules nothing. */
  retentionDays: number | undefined;
  audit: {
    record(input: {
      action: string;
      resourceType: string;
      outcome: AuditOutcome;
      actorClient?: string | null;
      details?: unknown;
    }): Promise<unknown>;
  };
  logger: {
    info: (fields: object, message: string) => void;
    error: (fields: object, message: string) => void;
  };
  /** Time between runs; 24 hours when absent. */
  intervalMs?: number;
  /** The time each run measures its cut from; the system clock when absent. */
  clock?: () => Date;
}

/** A running retention schedule. */
export interface AuditRetentionSchedule {
  /**
   * Runs archiving now, or joins the run under way (the schedule starts one at once and one at
   * each interval). Never rejects: a failed run resolves to null.
   */
  runOnce(): Promise<AuditArchiveResult | null>;
  /** Ends the schedule; resolves once a run under way has finished. */
  stop(): Promise<void>;
}

/**
 * Archives now and then every 24 hours, or does nothing (null) when no retention is set. Each
 * run that moves events is recorded as an `audit.archive` event with the count, the file and the
 * new anchor. A failed run is logged and recorded as an error; the events then stay in the table
 * until the next run.
 *
 * @example
 * const retention = scheduleAuditRetention({ db, audit, logger, retentionDays: 365, archiveDir });
 * process.once('SIGTERM', () => void retention?.stop());
 */
export function scheduleAuditRetention(
  options: AuditRetentionScheduleOptions,
): AuditRetentionSchedule | null {
  const { audit, logger, intervalMs = dayMs, clock = () => new Date(), ...rest } = options;
  if (rest.retentionDays === undefined) return null;
  const retentionDays = rest.retentionDays;
  let running: Promise<AuditArchiveResult | null> | undefined;

  async function run(): Promise<AuditArchiveResult | null> {
    try {
      const result = await archiveAuditEvents({ ...rest, retentionDays, now: clock() });
      if (result) {
        await audit.record({
          action: 'audit.archive',
          resourceType: 'audit',
          outcome: 'ok',
          actorClient: 'server',
          details: {
            events: result.events,
            file: path.basename(result.file),
            from: result.from,
            to: result.to,
            retentionDays,
          },
        });
        logger.info(
          { archived: result.events, file: result.file, anchor: result.to },
          'archived old audit events',
        );
      }
      return result;
    } catch (error) {
      logger.error({ err: error }, 'archiving old audit events failed; they stay in the database');
      await audit
        .record({
          action: 'audit.archive',
          resourceType: 'audit',
          outcome: 'error',
          actorClient: 'server',
          details: { message: error instanceof Error ? error.message : String(error) },
        })
        .catch((recordError: unknown) =>
          logger.error({ err: recordError }, 'recording the failed archiving run failed too'),
        );
      return null;
    }
  }

  const runOnce = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  void runOnce();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
