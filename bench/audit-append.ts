/**
 * What the audit chain costs: appending N events with `recordAudit` (row lock, hash, insert, head
 * update) against its peer, a plain insert of the same rows into an unchained copy of the table,
 * run side by side on the same database. Prints the ratio; asserts nothing.
 */
import { sql } from 'drizzle-orm';
import { recordAudit } from '../server/audit/index.ts';
import { openStore, type Store } from '../server/store/index.ts';

const events = Number(process.env.BENCH_EVENTS ?? '2000');
const concurrency = 8;

async function inBatches(count: number, run: (n: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let n = 0; n < count; n += concurrency) {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count - n) }, (_, k) => run(n + k)),
    );
  }
  return performance.now() - started;
}

async function measure(store: Store): Promise<{ chained: number; plain: number }> {
  await store.db.execute(sql`create temporary table plain_events (like audit_events)`);
  const input = (n: number) => ({
    action: 'bench.write',
    resourceType: 'bench',
    resourceId: String(n),
    outcome: 'ok' as const,
    after: { n, title: `event ${n}` },
  });
  const plain = await inBatches(events, (n) =>
    store.db.execute(sql`
      insert into plain_events (seq, id, occurred_at, source, action, resource_type, resource_id,
                                outcome, after, prev_hash, hash)
      values (${n}, ${crypto.randomUUID()}, now(), 'server', 'bench.write', 'bench', ${String(n)},
              'ok', ${JSON.stringify(input(n).after)}::jsonb, '', '')`),
  );
  const chained = await inBatches(events, (n) => recordAudit(store.db, input(n)));
  return { chained, plain };
}

export async function benchAuditAppend(): Promise<void> {
  const targets: [string, () => Promise<Store>][] = [['pglite', () => openStore({})]];
  const url = process.env.BENCH_DATABASE_URL;
  if (url) targets.push(['postgres', () => openStore({ databaseUrl: url })]);
  for (const [name, open] of targets) {
    const store = await open();
    try {
      const { chained, plain } = await measure(store);
      console.log(
        `audit append on ${name}: ${events} events, chained / plain insert = ` +
          `${(chained / plain).toFixed(2)}x (${((events / chained) * 1000).toFixed(0)} chained events/s)`,
      );
    } finally {
      await store.close();
    }
  }
}
