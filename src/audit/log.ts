/**
 * Append-only, tamper-evident audit log. Each row carries the hash of the one
 * before it, so editing or deleting any row (even with the triggers dropped and
 * the file edited by hand) breaks the chain at that row.
 */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import { auditLog } from '../db/schema.js';
import type { Db } from '../db/client.js';
import { all, allOf, driveSync, get, getOf, programDb, run, statement, type Program, type StoreDb } from '../store/program.js';

type Tx = Pick<Db, 'select' | 'insert'>;

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  actorId: number | null;
  action: string;
  entityType: string;
  entityId: string;
  data?: Record<string, unknown>;
}

interface HashedFields {
  seq: number;
  at: string;
  actorId: number | null;
  action: string;
  entityType: string;
  entityId: string;
  data: string;
}

/** The hash of a row given its predecessor's hash; field order is fixed. */
export function rowHash(prevHash: string, row: HashedFields): string {
  const canonical = JSON.stringify([row.seq, row.at, row.actorId, row.action, row.entityType, row.entityId, row.data]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/** Appends one entry; call inside the transaction that makes the change it records. */
export function appendAudit(tx: Tx, entry: AuditEntry, at: Date = new Date()): void {
  driveSync(appendAudit$(tx as unknown as StoreDb, entry, at));
}

/** The last row of the chain (sequence number, hash, time), or undefined for an empty log. */
export function* auditHead$(db: Pick<StoreDb, 'select'>): Program<{ seq: number; hash: string; at: string } | undefined> {
  return yield* getOf(db as StoreDb, AUDIT_HEAD, {});
}

/** The chain's head and the append: every write reads and writes them, so they are prepared once. */
const AUDIT_HEAD = statement((db) => db.select({ seq: auditLog.seq, hash: auditLog.hash, at: auditLog.at }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1));
const AUDIT_APPEND = statement(
  (db, a: { seq: number; at: string; actorId: number | null; action: string; entityType: string; entityId: string; data: string; prevHash: string; hash: string }) =>
    db
      .insert(auditLog)
      .values({ seq: a.seq, at: a.at, actorId: a.actorId, action: a.action, entityType: a.entityType, entityId: a.entityId, data: a.data, prevHash: a.prevHash, hash: a.hash })
      .returning({ seq: auditLog.seq }),
);

/** Attempts at appending when another writer took the same seq first (only possible on the async drivers). */
const APPEND_ATTEMPTS = 32;

/** Whether an error is the audit log's primary key refusing a seq another writer just took. */
function isSeqConflict(err: unknown): boolean {
  for (let e = err as { message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.message === 'string' && /UNIQUE constraint failed: audit_log\.seq/.test(e.message)) return true;
  }
  return false;
}

/**
 * Appends one entry to the chain. On better-sqlite3 the program runs in one
 * IMMEDIATE transaction, so the predecessor cannot change under it. On the
 * async drivers (D1) two programs may read the same predecessor; the primary
 * key on seq refuses the second insert, and the append is retried on the new
 * predecessor. The insert runs at once (not held for a batch) so that its
 * failure takes nothing else with it: the read of the predecessor just before
 * it has already sent the program's held writes.
 */
export function* appendAudit$(db: Pick<StoreDb, 'select' | 'insert'>, entry: AuditEntry, at: Date = new Date()): Program<void> {
  for (let attempt = 1; ; attempt++) {
    const last = yield* auditHead$(db);
    const seq = (last?.seq ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS_HASH;
    const row: HashedFields = {
      seq,
      at: at.toISOString(),
      actorId: entry.actorId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      data: JSON.stringify(entry.data ?? {}),
    };
    try {
      yield* allOf(db as StoreDb, AUDIT_APPEND, { ...row, prevHash, hash: rowHash(prevHash, row) });
      return;
    } catch (err) {
      if (attempt >= APPEND_ATTEMPTS || !isSeqConflict(err)) throw err;
    }
  }
}

export type VerifyResult = { ok: true; rows: number } | { ok: false; rows: number; badSeq: number; reason: string };

/** Walks the chain from the first row; reports the first row that does not fit. */
export function verifyAudit(db: Db): VerifyResult {
  return driveSync(verifyAudit$(programDb(db)));
}

/** Rows read per query while verifying, so a long log is never held in memory at once. */
const VERIFY_PAGE = 1000;

/** verifyAudit as a store program (src/store/program.ts). */
export function* verifyAudit$(db: Pick<StoreDb, 'select'>): Program<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  // No lower bound on the first page: a row slipped in with seq <= 0 must show up too.
  let after: number | null = null;
  for (;;) {
    const page: Array<typeof auditLog.$inferSelect> = yield* all(db.select().from(auditLog).where(after === null ? undefined : gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(VERIFY_PAGE));
    for (const r of page) {
      rows++;
      if (r.seq !== expectedSeq) {
        return { ok: false, rows, badSeq: expectedSeq, reason: `row ${expectedSeq} is missing (next row is ${r.seq})` };
      }
      if (r.prevHash !== prevHash) {
        return { ok: false, rows, badSeq: r.seq, reason: `row ${r.seq} does not link to row ${r.seq - 1}` };
      }
      if (rowHash(prevHash, r) !== r.hash) {
        return { ok: false, rows, badSeq: r.seq, reason: `row ${r.seq} was modified (hash mismatch)` };
      }
      prevHash = r.hash;
      expectedSeq++;
      after = r.seq;
    }
    if (page.length < VERIFY_PAGE) break;
  }
  // AUTOINCREMENT never reuses a seq, so sqlite_sequence remembers rows cut off the end.
  const highest = yield* get(db.select({ seq: sql<number>`seq` }).from(sql`sqlite_sequence`).where(sql`name = 'audit_log'`));
  if (highest && highest.seq >= expectedSeq) {
    return { ok: false, rows, badSeq: expectedSeq, reason: `rows ${expectedSeq}..${highest.seq} are missing from the end` };
  }
  return { ok: true, rows };
}

/** Entries about one entity, oldest first. */
export function auditTrail(db: Db, entityType: string, entityId: string) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityType, entityType), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.seq))
    .all();
}
