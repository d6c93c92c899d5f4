/** Calendar days as `YYYY-MM-DD` strings, in the bureau's time zone. */

/** Time zone for "today"; Shanghai unless LASTGATE_TZ says otherwise. */
export const TIME_ZONE: string = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.LASTGATE_TZ ?? 'Asia/Shanghai';

// One formatter per time zone: toLocaleDateString builds a new one on every call, which cost more than a submission.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function today(now: Date = new Date(), timeZone: string = TIME_ZONE): string {
  let f = formatters.get(timeZone);
  // sv-SE formats dates as YYYY-MM-DD.
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(now);
}

/** True for a real calendar day written as YYYY-MM-DD (2026-02-30 is false). */
export function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

/** The calendar day (in TIME_ZONE) of an ISO instant. */
export function isoToDay(iso: string, timeZone: string = TIME_ZONE): string {
  return today(new Date(iso), timeZone);
}
