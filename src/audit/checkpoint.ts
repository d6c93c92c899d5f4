/**
 * Signed checkpoints of the audit log, the idea of Certificate
 * Transparency's signed tree heads. The hash chain (log.ts) shows an edited
 * or deleted row, but not a whole history replaced: whoever can write the
 * database file can restore an older copy and record a different history
 * through lastgate itself, or cut rows off the end and lower
 * `sqlite_sequence`, and every hash of that chain is valid. A checkpoint
 * records where the chain stood (sequence number, hash, time), signed with
 * an Ed25519 key kept outside the database; kept where the database's
 * writer cannot reach, it lets `audit verify --checkpoint` prove that
 * today's log extends that exact history: a fork, a rollback or a
 * truncation fails, naming what differs.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { auditLog } from '../db/schema.js';
import { get, type Program, type StoreDb } from '../store/program.js';
import { auditHead$, GENESIS_HASH } from './log.js';

export const CHECKPOINT_FORMAT = 'lastgate-audit-checkpoint/1';

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  /** Sequence number of the last row (0 for an empty log). */
  seq: number;
  /** Its hash (GENESIS_HASH for an empty log). */
  hash: string;
  /** Its time ('' for an empty log). */
  at: string;
  issuedAt: string;
  /** The signing key's public half, SPKI DER in base64. */
  key: string;
  /** Ed25519 signature of `signedText`, base64. */
  signature: string;
}

/** The exact text a checkpoint's signature covers. */
function signedText(c: Omit<Checkpoint, 'signature'>): Buffer {
  return Buffer.from([c.format, c.seq, c.hash, c.at, c.issuedAt, c.key].join('\n'));
}

/** A new Ed25519 signing key as PKCS#8 PEM, and its public half as SPKI PEM. */
export function generateSigningKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Reads a private key PEM; throws unless it is Ed25519. */
export function signingKey(pem: string): KeyObject {
  const k = createPrivateKey(pem);
  if (k.asymmetricKeyType !== 'ed25519') throw new Error(`the signing key must be Ed25519, not ${k.asymmetricKeyType}`);
  return k;
}

const spkiBase64 = (k: KeyObject) => (k.type === 'public' ? k : createPublicKey(k)).export({ type: 'spki', format: 'der' }).toString('base64');

/** The log's head now, signed. */
export function* checkpoint$(db: Pick<StoreDb, 'select'>, key: KeyObject, now: Date = new Date()): Program<Checkpoint> {
  const head = yield* auditHead$(db);
  const body = {
    format: CHECKPOINT_FORMAT,
    seq: head?.seq ?? 0,
    hash: head?.hash ?? GENESIS_HASH,
    at: head?.at ?? '',
    issuedAt: now.toISOString(),
    key: spkiBase64(key),
  } as const;
  return { ...body, signature: sign(null, signedText(body), key).toString('base64') };
}

/**
 * Checkpoints in a file: one JSON object, or JSON Lines (a file the server
 * appends to). Throws naming the line of a malformed one.
 */
export function parseCheckpoints(text: string): Checkpoint[] {
  const check = (c: Checkpoint, where: string): Checkpoint => {
    if (c?.format !== CHECKPOINT_FORMAT || !Number.isInteger(c.seq) || c.seq < 0 || typeof c.hash !== 'string' || typeof c.signature !== 'string' || typeof c.key !== 'string') {
      throw new Error(`${where}: not a ${CHECKPOINT_FORMAT} checkpoint`);
    }
    return c;
  };
  // One checkpoint as printed (possibly over several lines)…
  try {
    const whole = JSON.parse(text) as unknown;
    if (whole && typeof whole === 'object' && !Array.isArray(whole)) return [check(whole as Checkpoint, 'the file')];
  } catch {
    // …or one per line.
  }
  const out: Checkpoint[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let c: Checkpoint;
    try {
      c = JSON.parse(line) as Checkpoint;
    } catch (e) {
      throw new Error(`line ${i + 1}: not JSON: ${(e as Error).message}`);
    }
    out.push(check(c, `line ${i + 1}`));
  });
  if (out.length === 0) throw new Error('no checkpoint in the file');
  return out;
}

export type CheckpointResult = { ok: true } | { ok: false; reason: string };

/**
 * Whether the log extends `c` exactly: the signature holds (by `trusted`,
 * a public key PEM, when given; else by the key the checkpoint names), and
 * the row at the checkpoint's sequence number still has the checkpoint's
 * hash. Run after the chain itself verifies (log.ts verifyAudit$): the hash
 * of that row commits to every row before it, and the chain to every row
 * after it.
 */
export function* checkAgainst$(db: Pick<StoreDb, 'select'>, c: Checkpoint, trusted?: string): Program<CheckpointResult> {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(c.key, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return { ok: false, reason: `the checkpoint of ${c.issuedAt} names no valid public key` };
  }
  let pinned: string | undefined;
  try {
    pinned = trusted === undefined ? undefined : spkiBase64(createPublicKey(trusted));
  } catch (e) {
    return { ok: false, reason: `the trusted public key cannot be read: ${(e as Error).message}` };
  }
  if (pinned !== undefined && pinned !== c.key) {
    return { ok: false, reason: `the checkpoint of ${c.issuedAt} was signed with another key than the trusted one` };
  }
  const { signature, ...body } = c;
  if (!verify(null, signedText(body), key, Buffer.from(signature, 'base64'))) return { ok: false, reason: `the checkpoint of ${c.issuedAt} has an invalid signature` };
  if (c.seq === 0) return { ok: true };
  const row = yield* get(db.select({ hash: auditLog.hash }).from(auditLog).where(eq(auditLog.seq, c.seq)));
  if (!row) {
    const head = yield* auditHead$(db);
    return {
      ok: false,
      reason: `the log ends at row ${head?.seq ?? 0}, but the checkpoint of ${c.issuedAt} recorded row ${c.seq}: rows were removed from the end or an older copy was restored (rollback or truncation)`,
    };
  }
  if (row.hash !== c.hash) {
    return {
      ok: false,
      reason: `row ${c.seq} is not the one the checkpoint of ${c.issuedAt} recorded (hash ${row.hash.slice(0, 12)}…, checkpoint ${c.hash.slice(0, 12)}…): the history up to it was replaced (a fork)`,
    };
  }
  return { ok: true };
}
