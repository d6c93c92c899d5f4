/**
 * Finds deadlines in a published text (报名截止时间为2025年3月31日, 申报截至2025年
 * 6月30日, 请于2025年4月10日前提交) so a cleanup scan can flag the ones that
 * have passed. Dates without a deadline cue (发布于…, 2023年工作总结) are ignored.
 */

export interface Deadline {
  /** YYYY-MM-DD */
  date: string;
  start: number;
  end: number;
  text: string;
}

const NUM = '[0-9０-９]';
const DATE = `(${NUM}{4})\\s*年\\s*(${NUM}{1,2})\\s*月\\s*(${NUM}{1,2})\\s*日`;
// A cue before the date (截止/截至/报名时间…至/有效期至/…止) or 前/止/截止 right after it.
const BEFORE = new RegExp(`(?:截止|截至|报名时间|申报时间|申请时间|受理时间|有效期|办理期限|期限)[^。；;！!？?\\n]{0,20}?${DATE}`, 'gu');
const AFTER = new RegExp(`${DATE}\\s*(?:\\d{1,2}[:：]\\d{2}\\s*)?(?:前|之前|止|截止|为止)`, 'gu');

function toDate(y: string, m: string, d: string): string | null {
  const n = (s: string) => Number(s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
  const yy = n(y);
  const mm = n(m);
  const dd = n(d);
  const dt = new Date(Date.UTC(yy, mm - 1, dd));
  if (dt.getUTCFullYear() !== yy || dt.getUTCMonth() !== mm - 1 || dt.getUTCDate() !== dd) return null;
  return `${yy}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

export function findDeadlines(text: string): Deadline[] {
  // Keyed by where the date itself starts: a date with cues on both sides is one deadline.
  const found = new Map<number, Deadline>();
  for (const [re, dateAtEnd] of [[BEFORE, true], [AFTER, false]] as const) {
    for (const m of text.matchAll(re)) {
      const date = toDate(m[1]!, m[2]!, m[3]!);
      if (!date) continue;
      const start = m.index!;
      const dateStart = dateAtEnd ? start + m[0].lastIndexOf(m[1]!) : start;
      const prev = found.get(dateStart);
      const d = { date, start: Math.min(start, prev?.start ?? start), end: Math.max(start + m[0].length, prev?.end ?? 0), text: '' };
      d.text = text.slice(d.start, d.end);
      found.set(dateStart, d);
    }
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}

/** Deadlines strictly before `today` (YYYY-MM-DD). */
export function passedDeadlines(text: string, today: string): Deadline[] {
  return findDeadlines(text).filter((d) => d.date < today);
}
