/**
 * Append-only, tamper-evident audit log. Each row carries the hash of the one
 * before it, so editing or deleting any row (even with the triggers dropped and
 * the file edited by hand) breaks the chain at that row.
 */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq } from 'drizzle-orm';
import { auditLog } from '../db/schema.js';
import type { Db } from '../db/client.js';

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
  const last = tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1).all()[0];
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
  tx.insert(auditLog).values({ ...row, prevHash, hash: rowHash(prevHash, row) }).run();
}

export type VerifyResult = { ok: true; rows: number } | { ok: false; rows: number; badSeq: number; reason: string };

/** Walks the chain from the first row; reports the first row that does not fit. */
export function verifyAudit(db: Db): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  const iter = db.$client.prepare('SELECT seq, at, actor_id AS actorId, action, entity_type AS entityType, entity_id AS entityId, data, prev_hash AS prevHash, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<HashedFields & { prevHash: string; hash: string }>;
  for (const r of iter) {
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
  }
  // AUTOINCREMENT never reuses a seq, so sqlite_sequence remembers rows cut off the end.
  const highest = db.$client.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get() as { seq: number } | undefined;
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
