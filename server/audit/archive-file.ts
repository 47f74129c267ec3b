/**
 * Audit archive files: the JSON Lines files that retention moves old events into. The first line
 * is a header `{ "type": "anchor", "from": { seq, hash }, "to": { seq, hash } }` naming the chain
 * positions the file runs between; every further line is one event exactly as it was stored, so
 * that the same `verifyChain` that checks the table checks the file, and the files chain into
 * each other and into the table's anchor.
 *
 * No database here: the file is written and read back on its own terms.
 */
import { createReadStream } from 'node:fs';
import { link, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  verifyChain,
  type ChainBreakReason,
  type ChainHead,
  type ChainedAuditEvent,
} from './chain.ts';

/** The header line: where the archived stretch of the chain starts and ends. */
export interface ArchiveHeader {
  type: 'anchor';
  /** The last event before the file (the genesis, position 0, for the first archive). */
  from: ChainHead;
  /** The last event in the file. */
  to: ChainHead;
}

export type ArchiveBreakReason =
  ChainBreakReason | 'archive_missing' | 'archive_unreadable' | 'archive_mismatch';

export type ArchiveVerification =
  | { ok: true; events: number }
  | {
      ok: false;
      events: number;
      reason: ArchiveBreakReason;
      /** The first event at which the file does not hold, when one is to blame. */
      event: { seq: number; id: string } | null;
      message: string;
    };

/** Raised when an archive file cannot be read as one. */
export class ArchiveFileError extends Error {
  override readonly name = 'ArchiveFileError';
  readonly code = 'archive_unreadable';
}

/** Raised when an archive file is to be written under a name that is taken. */
export class ArchiveExistsError extends Error {
  override readonly name = 'ArchiveExistsError';
  readonly code = 'archive_exists';
}

/**
 * The file name for an archive of positions `from.seq + 1` to `to.seq`, zero-padded so that
 * names sort in chain order.
 *
 * @example
 * archiveFileName(0, 120); // 'audit-000000000001-000000000120.jsonl'
 */
export function archiveFileName(fromSeq: number, toSeq: number): string {
  const pad = (seq: number) => String(seq).padStart(12, '0');
  return `audit-${pad(fromSeq + 1)}-${pad(toSeq)}.jsonl`;
}

/** Lines are written in chunks of about this many characters rather than one by one. */
const writeChunkLength = 1 << 16;

/** One event as an archive line: the stored fields, the time as the ISO text the hash covers. */
function eventLine(event: ChainedAuditEvent): string {
  return `${JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() })}\n`;
}

/**
 * Writes an archive file durably and only whole: into a temporary file beside it, flushed to
 * disk and verified against its header, then linked under `filePath` (never over an existing
 * file) and the folder flushed. Returns the number of events written.
 *
 * Throws `ArchiveExistsError` when `filePath` exists already (another writer was first), and
 * `ArchiveFileError` when the events do not chain from `header.from` to `header.to` (they
 * changed while being read); in both cases nothing is left behind.
 *
 * @example
 * await writeArchiveFile('/data/audit-archive/audit-…jsonl', { type: 'anchor', from, to }, events);
 */
export async function writeArchiveFile(
  filePath: string,
  header: ArchiveHeader,
  events: AsyncIterable<ChainedAuditEvent> | Iterable<ChainedAuditEvent>,
): Promise<number> {
  const folder = path.dirname(filePath);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temporary = path.join(folder, `.${path.basename(filePath)}.${crypto.randomUUID()}.tmp`);
  try {
    const file = await open(temporary, 'wx', 0o600);
    try {
      let pending = `${JSON.stringify(header)}\n`;
      for await (const event of events) {
        pending += eventLine(event);
        if (pending.length >= writeChunkLength) {
          await file.write(pending);
          pending = '';
        }
      }
      await file.write(pending);
      await file.sync();
    } finally {
      await file.close();
    }
    const written = await verifyArchiveFile(temporary, header);
    if (!written.ok) {
      throw new ArchiveFileError(`the events read do not form the chain named: ${written.message}`);
    }
    try {
      await link(temporary, filePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new ArchiveExistsError(`${filePath} exists already`);
      }
      throw error;
    }
    const directory = await open(folder, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return written.events;
  } finally {
    await rm(temporary, { force: true });
  }
}

function isChainHead(value: unknown): value is ChainHead {
  if (!value || typeof value !== 'object') return false;
  const { seq, hash } = value as Record<string, unknown>;
  return Number.isSafeInteger(seq) && typeof hash === 'string';
}

function parseHeader(line: string | undefined): ArchiveHeader {
  let value: unknown;
  try {
    value = line === undefined ? undefined : JSON.parse(line);
  } catch {
    throw new ArchiveFileError('its first line is not JSON');
  }
  const header = value as Partial<ArchiveHeader> | undefined;
  if (!header || header.type !== 'anchor' || !isChainHead(header.from) || !isChainHead(header.to)) {
    throw new ArchiveFileError('its first line is not an anchor header');
  }
  return { type: 'anchor', from: header.from, to: header.to };
}

function parseEvent(line: string, lineNumber: number): ChainedAuditEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ArchiveFileError(`line ${lineNumber} is not JSON`);
  }
  const fields = value as Record<string, unknown> | null;
  const occurredAt =
    fields && typeof fields.occurredAt === 'string' ? new Date(fields.occurredAt) : null;
  if (
    !fields ||
    typeof fields !== 'object' ||
    Array.isArray(fields) ||
    !Number.isSafeInteger(fields.seq) ||
    typeof fields.id !== 'string' ||
    !occurredAt ||
    Number.isNaN(occurredAt.getTime())
  ) {
    throw new ArchiveFileError(`line ${lineNumber} is not an audit event`);
  }
  return { ...fields, occurredAt } as unknown as ChainedAuditEvent;
}

/**
 * Reads an archive file: its header, then its events one by one (the file is never held whole).
 * Throws `ArchiveFileError` on a line that is not what the format says.
 *
 * @example
 * const archive = await readArchiveFile(file);
 * for await (const event of archive.events) console.log(event.seq);
 */
export async function readArchiveFile(
  filePath: string,
): Promise<{ header: ArchiveHeader; events: AsyncGenerator<ChainedAuditEvent> }> {
  const lines = createInterface({
    input: createReadStream(filePath, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  })[Symbol.asyncIterator]();
  let header: ArchiveHeader;
  try {
    const first = await lines.next();
    header = parseHeader(first.done ? undefined : first.value);
  } catch (error) {
    await lines.return?.();
    throw error;
  }
  async function* events(): AsyncGenerator<ChainedAuditEvent> {
    let lineNumber = 1;
    try {
      for (;;) {
        const next = await lines.next();
        if (next.done) return;
        lineNumber += 1;
        if (next.value === '') continue;
        yield parseEvent(next.value, lineNumber);
      }
    } finally {
      await lines.return?.();
    }
  }
  return { header, events: events() };
}

const sameHead = (a: ChainHead, b: ChainHead) => a.seq === b.seq && a.hash === b.hash;

/**
 * Checks an archive file against the stretch of chain it is recorded to hold: the header must
 * name exactly `expected`, and the events must chain from `expected.from` to `expected.to`.
 *
 * @example
 * const result = await verifyArchiveFile(file, { from: { seq: 0, hash: GENESIS_HASH }, to });
 * if (!result.ok) console.log(result.reason, result.message);
 */
export async function verifyArchiveFile(
  filePath: string,
  expected: { from: ChainHead; to: ChainHead },
): Promise<ArchiveVerification> {
  const name = path.basename(filePath);
  let archive;
  try {
    archive = await readArchiveFile(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return {
        ok: false,
        events: 0,
        reason: 'archive_missing',
        event: null,
        message: `Archive file ${filePath} is missing.`,
      };
    }
    if (error instanceof ArchiveFileError) {
      return {
        ok: false,
        events: 0,
        reason: 'archive_unreadable',
        event: null,
        message: `Archive file ${name} cannot be read: ${error.message}.`,
      };
    }
    return {
      ok: false,
      events: 0,
      reason: 'archive_unreadable',
      event: null,
      message: `Archive file ${filePath} cannot be read (${code ?? 'error'}).`,
    };
  }
  const { header, events } = archive;
  if (!sameHead(header.from, expected.from) || !sameHead(header.to, expected.to)) {
    await events.return(undefined);
    return {
      ok: false,
      events: 0,
      reason: 'archive_mismatch',
      event: null,
      message:
        `Archive file ${name} says it runs from position ${header.from.seq} to ${header.to.seq}, ` +
        `but the database recorded positions ${expected.from.seq} to ${expected.to.seq} ` +
        `with other hashes: the file or the database anchor was changed.`,
    };
  }
  let result;
  try {
    result = await verifyChain(events, expected.to, expected.from);
  } catch (error) {
    if (!(error instanceof ArchiveFileError)) throw error;
    return {
      ok: false,
      events: 0,
      reason: 'archive_unreadable',
      event: null,
      message: `Archive file ${name} cannot be read: ${error.message}.`,
    };
  }
  if (result.ok) return result;
  return {
    ok: false,
    events: result.events,
    reason: result.broken.reason,
    event: result.broken.event,
    message: `Archive file ${name}: ${result.broken.message}`,
  };
}
