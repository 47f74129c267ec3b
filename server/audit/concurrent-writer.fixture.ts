/**
 * A second process for the concurrency test: opens the store at DATABASE_URL as a server instance
 * would and records EVENTS audit events, many at once from START_AT (epoch ms) on, then exits. Not part of the product.
 */
import { openStore } from '../store/index.ts';
import { createAuditTrail } from './index.ts';

const databaseUrl = process.env.DATABASE_URL;
const count = Number(process.env.EVENTS ?? '100');
const writer = process.env.WRITER ?? String(process.pid);
if (!databaseUrl) throw new Error('DATABASE_URL is required');

const store = await openStore({ databaseUrl });
const trail = createAuditTrail({ db: store.db, logger: { info() {} }, mirrorToLog: false });
// Both writers start at the same moment, whatever their start-up took, so their writes overlap.
const startAt = Number(process.env.START_AT ?? Date.now());
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
const started = Date.now();
await Promise.all(
  Array.from({ length: count }, (_, n) =>
    trail.record({
      action: 'test.write',
      resourceType: 'test',
      resourceId: `${writer}-${n}`,
      outcome: 'ok',
      actorClient: `writer-${writer}`,
    }),
  ),
);
await store.close();
process.stdout.write(JSON.stringify({ writer, count, ms: Date.now() - started }) + '\n');
