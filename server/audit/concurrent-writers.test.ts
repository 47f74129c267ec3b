import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.ts';
import { createTestDatabase, dropTestDatabase, hasTestPostgres } from '../store/testing.ts';
import { verifyAuditChain } from './index.ts';

const fixture = fileURLToPath(new URL('./concurrent-writer.fixture.ts', import.meta.url));

function runWriter(
  databaseUrl: string,
  writer: string,
  events: number,
  startAt: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        WRITER: writer,
        EVENTS: String(events),
        START_AT: String(startAt),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`writer ${writer} exited ${code}: ${output}`)),
    );
  });
}

describe.skipIf(!hasTestPostgres)('two processes on one PostgreSQL', () => {
  let databaseUrl: string;
  let store: Store;

  beforeAll(async () => {
    databaseUrl = (await createTestDatabase())!;
    store = await openStore({ databaseUrl });
  });
  afterAll(async () => {
    await store?.close();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  it('interleave their events into one unbroken chain', async () => {
    const perWriter = 150;
    const startAt = Date.now() + 8000;
    await Promise.all([
      runWriter(databaseUrl, 'a', perWriter, startAt),
      runWriter(databaseUrl, 'b', perWriter, startAt),
    ]);
    const writers = await store.rows<{ actor_client: string; n: string }>(
      sql`select actor_client, count(*) as n from audit_events group by actor_client order by 1`,
    );
    expect(writers.map((row) => [row.actor_client, Number(row.n)])).toEqual([
      ['writer-a', perWriter],
      ['writer-b', perWriter],
    ]);
    const interleavings = await store.rows<{ switches: string }>(sql`
      select count(*) as switches from (
        select actor_client, lag(actor_client) over (order by seq) as previous from audit_events
      ) pairs where previous is not null and previous <> actor_client`);
    expect(Number(interleavings[0]?.switches)).toBeGreaterThan(1);
    await expect(verifyAuditChain(store.db)).resolves.toEqual({ ok: true, events: 2 * perWriter });
  });
});
