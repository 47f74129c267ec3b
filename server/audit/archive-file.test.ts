/**
 * Archive files on disk: what is written reads back to events that hash exactly as stored, and
 * every way a file can be damaged (an altered, removed or inserted line, a wrong header, a
 * missing or garbled file) is reported with the file's name.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveExistsError,
  ArchiveFileError,
  archiveFileName,
  readArchiveFile,
  verifyArchiveFile,
  writeArchiveFile,
  type ArchiveHeader,
} from './archive-file.ts';
import { GENESIS_HASH, hashAuditEvent, type ChainedAuditEvent } from './chain.ts';
import { linkedAuditChain } from './testing.ts';

function buildChain(length: number): ChainedAuditEvent[] {
  return linkedAuditChain(length, (seq) => ({
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq, 7)),
    actorUserId: 'alice',
    actorClient: 'enclave-web',
    actorPlugin: seq === 2 ? 'histogram' : null,
    source: 'server',
    action: 'dashboard.update',
    resourceType: 'dashboard',
    resourceId: `d${seq}`,
    projectId: 'p1',
    outcome: 'ok',
    requestId: `r${seq}`,
    ip: '127.0.0.1',
    sessionId: seq === 3 ? 'session-3' : null,
    details: { text: 'line\nbreak, "quotes", ünïcødé 😀, \u2028', n: 1.5e-7, big: 2 ** 52 },
    before: { title: 'old', tags: ['a', 'b'], nested: { z: null, a: [true, false] } },
    after: seq === 4 ? null : { title: 'new', n: seq },
  }));
}

const chain = buildChain(5);
const last = chain.at(-1)!;
const header: ArchiveHeader = {
  type: 'anchor',
  from: { seq: 0, hash: GENESIS_HASH },
  to: { seq: last.seq, hash: last.hash },
};
const expected = { from: header.from, to: header.to };

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'enclave-archive-file-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function writtenCopy(name: string): Promise<string> {
  const file = path.join(folder, name);
  await writeArchiveFile(file, header, chain);
  return file;
}

async function editLines(file: string, edit: (lines: string[]) => string[]): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  await writeFile(file, edit(lines).join('\n'));
}

describe('archive files', () => {
  it('names files after their range, sorting in chain order', () => {
    expect(archiveFileName(0, 120)).toBe('audit-000000000001-000000000120.jsonl');
    expect(archiveFileName(120, 5000)).toBe('audit-000000000121-000000005000.jsonl');
    expect(archiveFileName(9, 10) < archiveFileName(10, 11)).toBe(true);
  });

  it('writes a header and one line per event, and reads back events that hash as stored', async () => {
    const file = await writtenCopy('round-trip.jsonl');
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[0]!)).toEqual(header);

    const archive = await readArchiveFile(file);
    expect(archive.header).toEqual(header);
    const read: ChainedAuditEvent[] = [];
    for await (const event of archive.events) read.push(event);
    expect(read).toEqual(chain);
    for (const event of read) expect(hashAuditEvent(event)).toBe(event.hash);
    expect(await verifyArchiveFile(file, expected)).toEqual({ ok: true, events: 5 });
    // Only the finished file is left: the temporary one was renamed over it.
    expect((await readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('never writes over an existing file, nor a file whose events do not form the chain named', async () => {
    const file = await writtenCopy('taken.jsonl');
    const before = await readFile(file, 'utf8');
    await expect(writeArchiveFile(file, header, chain)).rejects.toBeInstanceOf(ArchiveExistsError);
    expect(await readFile(file, 'utf8')).toBe(before);

    const gappy = path.join(folder, 'gappy.jsonl');
    await expect(
      writeArchiveFile(gappy, header, [chain[0]!, ...chain.slice(2)]),
    ).rejects.toBeInstanceOf(ArchiveFileError);
    await expect(readFile(gappy)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('names the event whose line was altered', async () => {
    const file = await writtenCopy('altered.jsonl');
    await editLines(file, (lines) =>
      lines.map((line, index) => (index === 3 ? line.replace('"old"', '"forged"') : line)),
    );
    expect(await verifyArchiveFile(file, expected)).toMatchObject({
      ok: false,
      events: 2,
      reason: 'altered',
      event: { seq: 3, id: chain[2]!.id },
      message: expect.stringContaining('altered.jsonl') as unknown,
    });
  });

  it('notices a removed line, a removed last line and an inserted one', async () => {
    const removed = await writtenCopy('removed.jsonl');
    await editLines(removed, (lines) => lines.filter((_line, index) => index !== 2));
    expect(await verifyArchiveFile(removed, expected)).toMatchObject({
      ok: false,
      reason: 'missing',
      event: { seq: 3 },
    });

    const truncated = await writtenCopy('truncated.jsonl');
    await editLines(truncated, (lines) => lines.filter((_line, index) => index !== 5));
    expect(await verifyArchiveFile(truncated, expected)).toMatchObject({
      ok: false,
      reason: 'head_mismatch',
    });

    const inserted = await writtenCopy('inserted.jsonl');
    await editLines(inserted, (lines) => [...lines.slice(0, 3), lines[2]!, ...lines.slice(3)]);
    expect(await verifyArchiveFile(inserted, expected)).toMatchObject({
      ok: false,
      reason: 'missing',
      event: { seq: 2 },
    });
  });

  it('refuses a header that does not name the recorded range', async () => {
    const file = await writtenCopy('header.jsonl');
    await editLines(file, ([first, ...rest]) => [
      JSON.stringify({ ...JSON.parse(first!), to: { seq: 4, hash: chain[3]!.hash } }),
      ...rest,
    ]);
    expect(await verifyArchiveFile(file, expected)).toMatchObject({
      ok: false,
      reason: 'archive_mismatch',
      message: expect.stringContaining('header.jsonl') as unknown,
    });
    // The file agrees with its own header, but the database recorded something else.
    const honest = await writtenCopy('other-anchor.jsonl');
    const otherAnchor = { ...expected, to: { seq: 5, hash: 'f'.repeat(64) } };
    expect(await verifyArchiveFile(honest, otherAnchor)).toMatchObject({
      reason: 'archive_mismatch',
    });
  });

  it.each([
    ['an empty file', ''],
    ['a first line that is not JSON', 'not json\n'],
    ['a first line that is no anchor', '{"type":"event"}\n'],
  ])('reports %s as unreadable', async (_case, content) => {
    const file = path.join(folder, `unreadable-${crypto.randomUUID()}.jsonl`);
    await writeFile(file, content);
    expect(await verifyArchiveFile(file, expected)).toMatchObject({
      ok: false,
      reason: 'archive_unreadable',
    });
  });

  it.each([
    ['is not JSON', '{"seq": 1, '],
    ['has no valid time', JSON.stringify({ ...chain[0], occurredAt: 'yesterday' })],
    ['is not an object', '[1,2,3]'],
  ])('reports an event line that %s as unreadable', async (_case, line) => {
    const file = await writtenCopy(`bad-line-${crypto.randomUUID()}.jsonl`);
    await editLines(file, (lines) => lines.map((text, index) => (index === 1 ? line : text)));
    expect(await verifyArchiveFile(file, expected)).toMatchObject({
      ok: false,
      reason: 'archive_unreadable',
      message: expect.stringContaining('line 2') as unknown,
    });
  });

  it('reports a missing file by its path', async () => {
    const file = path.join(folder, 'never-written.jsonl');
    expect(await verifyArchiveFile(file, expected)).toEqual({
      ok: false,
      events: 0,
      reason: 'archive_missing',
      event: null,
      message: `Archive file ${file} is missing.`,
    });
  });
});
