/**
 * Safe retries of a submission: a client that sends `Idempotency-Key` with
 * POST /api/posts (or a new version) and gets no answer — a reset, a crash,
 * a timeout — sends the same request again with the same key and gets the
 * first answer, not a second post. The key is remembered in the transaction
 * that makes the change, so either both exist or neither; reusing a key for
 * another request is a 409. Keys are per user and kept for a day.
 */
import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { idempotencyKeys } from '../db/schema.js';
import { DomainError } from '../store/errors.js';
import { get, run, type Program, type StoreDb } from '../store/program.js';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** A request's key, what it is for, and the hash of the validated request. */
export interface Idempotency {
  key: string;
  scope: string;
  requestHash: string;
}

/** Printable ASCII, 1–255 characters, as the header allows. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function requestHash(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** The first answer given for this key (younger than a day), or null; a 409 when it answered another request. */
export function* replay$<T>(db: Pick<StoreDb, 'select'>, actorId: number, i: Idempotency, now: Date): Program<T | null> {
  const row = yield* get(db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.actorId, actorId), eq(idempotencyKeys.key, i.key))));
  if (!row || now.getTime() - Date.parse(row.createdAt) >= IDEMPOTENCY_TTL_MS) return null;
  if (row.scope !== i.scope || row.requestHash !== i.requestHash) {
    throw new DomainError('conflict', 'this Idempotency-Key was already used for a different request; use a new key for a new request', 'Idempotency-Key');
  }
  return row.response as T;
}

/** Remembers the answer for the key, in the caller's transaction; forgets the user's keys older than a day. */
export function* remember$(db: Pick<StoreDb, 'insert' | 'delete'>, actorId: number, i: Idempotency, response: unknown, now: Date): Program<void> {
  yield* run(db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.actorId, actorId), lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString()))));
  yield* run(
    db
      .insert(idempotencyKeys)
      .values({ actorId, key: i.key, scope: i.scope, requestHash: i.requestHash, response, createdAt: now.toISOString() })
      .onConflictDoUpdate({ target: [idempotencyKeys.actorId, idempotencyKeys.key], set: { scope: i.scope, requestHash: i.requestHash, response, createdAt: now.toISOString() } }),
  );
}
