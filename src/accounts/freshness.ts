/**
 * Account freshness: the national inspection fails an account that has not
 * published for two weeks. lastgate warns at 10 days and flags at 14. An
 * account that never published counts its lapse from the day it joined the
 * matrix (`joinedAt`), so a silent new account fails too. Retired accounts are
 * left out (programs.ts).
 */

export const WARN_DAYS = 10;
export const FAIL_DAYS = 14;

export type FreshnessLevel = 'ok' | 'warning' | 'failing';

export interface Freshness {
  account: string;
  accountId: number;
  /** The last publication, or null: never published. */
  lastPublishedAt: string | null;
  /** When the account joined the matrix. */
  joinedAt: string | null;
  /** What the lapse is counted from: the last publication, else `joinedAt` (null: neither is known). */
  since: string | null;
  /** Whole days since `since` (null only when neither date is known). */
  days: number | null;
  level: FreshnessLevel;
}

/** Days between two instants in the bureau's calendar (YYYY-MM-DD strings compared as days). */
export function daysBetween(fromDay: string, toDay: string): number {
  return Math.round((Date.parse(`${toDay}T00:00:00Z`) - Date.parse(`${fromDay}T00:00:00Z`)) / 86_400_000);
}

export function freshnessLevel(days: number | null): FreshnessLevel {
  if (days === null) return 'ok';
  if (days >= FAIL_DAYS) return 'failing';
  if (days >= WARN_DAYS) return 'warning';
  return 'ok';
}
