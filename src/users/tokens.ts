/**
 * Bearer tokens: 32 random bytes shown once to the user; only their sha256 is
 * stored, so a copy of the database does not hand out working tokens.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newToken(): string {
  return `lg_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A workspace session id (the UI cookie): 32 random bytes; only its sha256 (hashToken) is stored. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}
