/**
 * Account freshness: the national inspection fails an account that has not
 * published for two weeks. lastgate warns at 10 days and flags at 14.
 */

export const WARN_DAYS = 10;
export const FAIL_DAYS = 14;

export type FreshnessLevel = 'ok' | 'warning' | 'failing';

export interface Freshness {
  account: string;
  accountId: number;
  lastPublishedAt: string | null;
  /** Whole days since the last publication (null: never published). */
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
