/**
 * Finds the policies a text cites: by document number (文号, e.g.
 * 沪人社规〔2023〕12号, also written with [] () 【】 or full-width digits) or by a
 * title in 《》. Offsets are into the original text.
 */

export interface Citation {
  kind: 'doc_no' | 'title';
  /** Normalised form used to look the policy up (doc_no: 沪人社规〔2023〕12号). */
  key: string;
  start: number;
  end: number;
  text: string;
}

// Issuer abbreviation (CJK, 1–12 chars), year in any bracket, serial number, 号.
const DOC_NO = /([\u4e00-\u9fff]{1,12})\s*[〔［\[【(（]\s*([0-9０-９]{4})\s*[〕］\]】)）]\s*([0-9０-９]{1,5})\s*号/gu;
const TITLE = /《([^《》\n]{2,120})》/gu;

function halfWidthDigits(s: string): string {
  return s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/** The canonical way a 文号 is written: issuer〔year〕serial号, half-width digits, no leading zeros. */
export function normalizeDocNo(issuer: string, year: string, serial: string): string {
  return `${issuer}〔${halfWidthDigits(year)}〕${Number(halfWidthDigits(serial))}号`;
}

/** Canonical form of a 文号 typed by a person (for the registry). Returns null if it is not one. */
export function parseDocNo(s: string): string | null {
  // A fresh, non-global copy: exec on the shared global regex would leave lastIndex behind for matchAll.
  const m = new RegExp(DOC_NO.source, 'u').exec(s.trim());
  if (!m || m[0].length !== s.trim().length) return null;
  return normalizeDocNo(m[1]!, m[2]!, m[3]!);
}

/** Normalised title key: whitespace removed. */
export function normalizeTitle(title: string): string {
  return title.replace(/[\s\u3000]+/g, '');
}

export function findCitations(text: string): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(DOC_NO)) {
    out.push({ kind: 'doc_no', key: normalizeDocNo(m[1]!, m[2]!, m[3]!), start: m.index!, end: m.index! + m[0].length, text: m[0] });
  }
  for (const m of text.matchAll(TITLE)) {
    out.push({ kind: 'title', key: normalizeTitle(m[1]!), start: m.index!, end: m.index! + m[0].length, text: m[0] });
  }
  return out;
}

/**
 * The issuer prefix the regex captures can swallow preceding words (印发沪人社规…).
 * Registry lookups therefore try every suffix of the issuer, longest first.
 */
export function docNoCandidates(key: string): string[] {
  const m = /^([\u4e00-\u9fff]+)(〔\d{4}〕\d+号)$/u.exec(key);
  if (!m) return [key];
  const issuer = m[1]!;
  const rest = m[2]!;
  const out: string[] = [];
  for (let i = 0; i < issuer.length; i++) out.push(issuer.slice(i) + rest);
  return out;
}
