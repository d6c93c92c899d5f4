/**
 * Publish windows (时度效): an account may publish only between two local
 * times on some weekdays. Pure functions over an instant and a time zone.
 */

export interface PublishWindow {
  /** `HH:MM`, local time. */
  start: string;
  end: string;
  /** ISO weekdays 1 (Mon) – 7 (Sun) allowed; empty or undefined = every day. */
  days?: number[];
}

function localParts(at: Date, timeZone: string): { minutes: number; weekday: number } {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, hour12: false, hour: '2-digit', minute: '2-digit', weekday: 'short' });
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour) % 24;
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1;
  return { minutes: hour * 60 + Number(parts.minute), weekday };
}

function toMinutes(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`not a time of day: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function isValidTimeOfDay(s: string): boolean {
  return /^([01]\d|2[0-3]):([0-5]\d)$/.test(s);
}

/** Whether `at` falls inside the window (a window may wrap past midnight, e.g. 22:00–06:00). */
export function insideWindow(w: PublishWindow, at: Date, timeZone: string): boolean {
  const { minutes, weekday } = localParts(at, timeZone);
  if (w.days && w.days.length > 0 && !w.days.includes(weekday)) return false;
  const s = toMinutes(w.start);
  const e = toMinutes(w.end);
  return s <= e ? minutes >= s && minutes < e : minutes >= s || minutes < e;
}
