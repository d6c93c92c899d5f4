/**
 * The outbox: machine-review work recorded in SQLite in the same transaction as
 * the post. Transports read it; SQLite stays the source of truth, so a post
 * accepted while Redis is down (or before a crash) is still reviewed later.
 */
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { outbox } from '../db/schema.js';
import { backoffMs } from './job.js';

export type OutboxRow = typeof outbox.$inferSelect;

/** After this many failed attempts the row is marked failed and needs a person. */
export const MAX_ATTEMPTS = 10;

/** Pending rows whose retry time has come, oldest first. */
export function duePending(db: Db, limit: number, now: Date = new Date()): OutboxRow[] {
  return db
    .select()
    .from(outbox)
    .where(and(eq(outbox.state, 'pending'), lte(outbox.availableAt, now.toISOString())))
    .orderBy(asc(outbox.id))
    .limit(limit)
    .all();
}

export function markDispatched(db: Db, ids: number[], now: Date = new Date()): void {
  if (ids.length === 0) return;
  db.update(outbox).set({ state: 'dispatched', dispatchedAt: now.toISOString() }).where(and(inArray(outbox.id, ids), eq(outbox.state, 'pending'))).run();
}

/** Rows handed to a transport before `before` that have no result yet. */
export function staleDispatched(db: Db, before: Date, limit: number): OutboxRow[] {
  return db
    .select()
    .from(outbox)
    .where(and(eq(outbox.state, 'dispatched'), lte(outbox.dispatchedAt, before.toISOString())))
    .orderBy(asc(outbox.id))
    .limit(limit)
    .all();
}

/** Puts rows back to pending (their transport lost them), without counting an attempt. */
export function requeue(db: Db, ids: number[]): void {
  if (ids.length === 0) return;
  db.update(outbox).set({ state: 'pending', dispatchedAt: null }).where(and(inArray(outbox.id, ids), eq(outbox.state, 'dispatched'))).run();
}

/** Records a failed attempt: back to pending after a backoff, or failed for good. */
export function recordFailure(db: Db, id: number, error: string, now: Date = new Date()): void {
  const row = db.select().from(outbox).where(eq(outbox.id, id)).get();
  if (!row || row.state === 'done') return;
  const attempts = row.attempts + 1;
  db.update(outbox)
    .set({
      attempts,
      lastError: error.slice(0, 2000),
      state: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
      dispatchedAt: null,
      availableAt: new Date(now.getTime() + backoffMs(attempts)).toISOString(),
    })
    .where(eq(outbox.id, id))
    .run();
}

export function outboxCounts(db: Db): Record<string, number> {
  const rows = db.select({ state: outbox.state, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.state).all();
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
