/**
 * The outbox: machine-review work recorded in SQLite in the same transaction as
 * the post. Transports read it; SQLite stays the source of truth, so a post
 * accepted while Redis is down (or before a crash) is still reviewed later.
 *
 * Each helper is a program (the `$` functions, src/store/program.ts), so a
 * Worker reads pending rows and marks them dispatched with runAsync on D1; the
 * plain functions run the same programs on better-sqlite3 with runSync, for the
 * Node transports.
 */
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { outbox } from '../db/schema.js';
import { all, allOf, get, programDb, rows, run, runSync, statement, type Program, type StoreDb } from '../store/program.js';
import { backoffMs } from './job.js';

export type OutboxRow = typeof outbox.$inferSelect;

/** After this many failed attempts the row is marked failed and needs a person. */
export const MAX_ATTEMPTS = 10;

/** Runs a helper on better-sqlite3 statement by statement, as these helpers always ran (no transaction of their own). */
const plain = <T>(db: Db, program: Program<T>): T => runSync(db, program, { transaction: false });

/** Pending rows whose retry time has come, oldest first. */
export function* duePending$(db: StoreDb, limit: number, now: Date = new Date()): Program<OutboxRow[]> {
  return yield* allOf(db, DUE_PENDING, { now: now.toISOString(), limit });
}

/** Read at every dispatch, so prepared once (store/program.ts `statement`). */
const DUE_PENDING = statement((db, a: { now: string; limit: number }) =>
  db
    .select()
    .from(outbox)
    .where(and(eq(outbox.state, 'pending'), lte(outbox.availableAt, a.now)))
    .orderBy(asc(outbox.id))
    .limit(a.limit),
);

export function duePending(db: Db, limit: number, now: Date = new Date()): OutboxRow[] {
  return plain(db, duePending$(programDb(db), limit, now));
}

/** Marks pending rows as handed to a transport. */
export function* markDispatched$(db: StoreDb, ids: number[], now: Date = new Date()): Program<void> {
  if (ids.length === 0) return;
  yield* run(db.update(outbox).set({ state: 'dispatched', dispatchedAt: now.toISOString() }).where(and(inArray(outbox.id, ids), eq(outbox.state, 'pending'))));
}

export function markDispatched(db: Db, ids: number[], now: Date = new Date()): void {
  plain(db, markDispatched$(programDb(db), ids, now));
}

/** Rows handed to a transport before `before` that have no result yet. */
export function* staleDispatched$(db: StoreDb, before: Date, limit: number): Program<OutboxRow[]> {
  return yield* all(
    db
      .select()
      .from(outbox)
      .where(and(eq(outbox.state, 'dispatched'), lte(outbox.dispatchedAt, before.toISOString())))
      .orderBy(asc(outbox.id))
      .limit(limit),
  );
}

export function staleDispatched(db: Db, before: Date, limit: number): OutboxRow[] {
  return plain(db, staleDispatched$(programDb(db), before, limit));
}

/** Puts rows back to pending (their transport lost them), without counting an attempt. */
export function* requeue$(db: StoreDb, ids: number[]): Program<void> {
  if (ids.length === 0) return;
  yield* run(db.update(outbox).set({ state: 'pending', dispatchedAt: null }).where(and(inArray(outbox.id, ids), eq(outbox.state, 'dispatched'))));
}

export function requeue(db: Db, ids: number[]): void {
  plain(db, requeue$(programDb(db), ids));
}

/** Records a failed attempt: back to pending after a backoff, or failed for good. */
export function* recordFailure$(db: StoreDb, id: number, error: string, now: Date = new Date()): Program<void> {
  const row = yield* get(db.select().from(outbox).where(eq(outbox.id, id)));
  if (!row || row.state === 'done') return;
  const attempts = row.attempts + 1;
  yield* run(
    db
      .update(outbox)
      .set({
        attempts,
        lastError: error.slice(0, 2000),
        state: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
        dispatchedAt: null,
        availableAt: new Date(now.getTime() + backoffMs(attempts)).toISOString(),
      })
      .where(eq(outbox.id, id)),
  );
}

export function recordFailure(db: Db, id: number, error: string, now: Date = new Date()): void {
  plain(db, recordFailure$(programDb(db), id, error, now));
}

/** Rows per state. */
export function* outboxCounts$(db: StoreDb): Program<Record<string, number>> {
  const counts = yield* all(db.select({ state: outbox.state, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.state));
  return Object.fromEntries(counts.map((r) => [r.state, r.n]));
}

export function outboxCounts(db: Db): Record<string, number> {
  return plain(db, outboxCounts$(programDb(db)));
}

/** Rows not finished yet (pending or handed to a transport). */
export function* openCount$(db: StoreDb): Program<number> {
  const f = { n: sql<number>`count(*)` };
  return (yield* rows(f, db.select(f).from(sql`outbox`).where(sql`state IN ('pending','dispatched')`)))[0]!.n;
}

export function openCount(db: Db): number {
  return plain(db, openCount$(programDb(db)));
}
