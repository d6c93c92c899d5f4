/**
 * Validators for personal data and dates that patterns cannot check: they
 * find digit sequences (full-width digits and digits written as Chinese
 * numerals — 一三八…, 壹叁捌…, 幺 for 1 — read on the fly, so offsets are
 * offsets into the original text),
 * tolerate the separators people type inside numbers (spaces, hyphens,
 * zero-width characters), and keep only sequences that pass the number's own
 * checks — GB 11643 checksum and birth date for resident ID numbers, carrier
 * prefixes for mobile numbers, Luhn and issuer prefix for bank cards. A number
 * glued to other digits or letters, or partly masked (310***********123X),
 * is not a candidate.
 */

import { DIGIT_VALUE, foldUnit } from './normalize.js';

export interface Span {
  start: number;
  end: number;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** Characters people put inside a number: space, hyphen, NBSP, zero-width characters. */
const isSeparator = (c: number) => c === 32 || c === 45 || c === 0xa0 || (c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff;
const isMask = (c: number) => c === 42 || c === 0xd7 || c === 0x2217; // * × ∗

export interface DigitRun {
  digits: string;
  start: number;
  end: number;
  /** Trailing X/x (ID check digit) consumed. */
  x: boolean;
}

/** Maximal digit runs (allowing single separators between digits); shared by the validators of one scan. */
export function digitRuns(text: string): DigitRun[] {
  const runs: DigitRun[] = [];
  const n = text.length;
  const ascii = (j: number) => (j >= 0 && j < n ? foldUnit(text.charCodeAt(j)) : 0);
  // The regex engine skips to stretches of 11+ digits and separators; most text has none.
  scanAll(text, LONG_DIGITS, ascii, runs);
  if (!LONG_HAN_DIGITS.test(text)) return runs;
  // Chinese numerals read as the ASCII digits they stand for (一三八…, mixed with ASCII: 1五9…).
  const han = (j: number) => {
    const f = ascii(j);
    const d = DIGIT_VALUE[f]!;
    return d < 10 ? 48 + d : f;
  };
  const seen = new Set(runs.map((r) => `${r.start}:${r.end}`));
  const more: DigitRun[] = [];
  scanAll(text, LONG_MIXED_DIGITS, han, more);
  for (const r of more) if (!seen.has(`${r.start}:${r.end}`)) runs.push(r);
  return runs;
}

function scanAll(text: string, re: RegExp, at: (j: number) => number, runs: DigitRun[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let i = m.index;
    while (i > 0 && isDigit(at(i - 1))) i--;
    re.lastIndex = scanRun(text, i, at, runs);
  }
}

const SEPARATORS = ' \\-\\u00a0\\u200b-\\u200d\\u2060\\ufeff\\uff0d\\u3000';
const LONG_DIGITS = new RegExp(`[0-9\\uff10-\\uff19][0-9\\uff10-\\uff19${SEPARATORS}]{10}`, 'g');
const HAN_DIGITS = '〇零一二三四五六七八九幺壹贰貳叁肆伍陆陸柒捌玖';
/** Any Chinese numeral: the cheap test before the second, numeral-aware pass. */
const LONG_HAN_DIGITS = new RegExp(`[${HAN_DIGITS}]`);
const LONG_MIXED_DIGITS = new RegExp(`[0-9\\uff10-\\uff19${HAN_DIGITS}][0-9\\uff10-\\uff19${HAN_DIGITS}${SEPARATORS}]{10}`, 'g');

/** Reads the digit run starting at `i`; appends it when its length fits a validator. Returns where scanning resumes. */
function scanRun(text: string, i: number, at: (j: number) => number, runs: DigitRun[]): number {
  const n = text.length;
  const start = i;
  let count = 0;
  let end = i;
  let j = i;
  while (j < n) {
    const d = at(j);
    if (isDigit(d)) {
      count++;
      j++;
      end = j;
    } else if (isSeparator(d) && isDigit(at(j + 1))) {
      j++;
    } else break;
  }
  let x = false;
  const xc = at(end);
  if (xc === 88 || xc === 120) {
    x = true;
    end++;
  }
  const before = at(start - 1);
  const after = at(end);
  // Glued to letters or masks: part of a code, a URL or a masked number.
  if (isAsciiLetter(before) || isMask(before) || isMask(after) || (isAsciiLetter(after) && !x)) return Math.max(end, i + 1);
  // A decimal number or a version string is not an identifier.
  if ((before === 46 || before === 44) && isDigit(at(start - 2))) return Math.max(end, i + 1);
  if ((after === 46 || after === 44) && isDigit(at(end + 1))) return Math.max(end, i + 1);
  // Only lengths some validator accepts are worth materialising.
  if (count === 11 || count === 13 || (count >= 16 && count <= 19)) {
    let digits = '';
    for (let k = start; k < end; k++) {
      const d = at(k);
      if (isDigit(d)) digits += String.fromCharCode(d);
    }
    runs.push({ digits, start, end, x });
  }
  return Math.max(end, i + 1);
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
]);

/** GB 11643-1999: province code, a real birth date, and the ISO 7064 MOD 11-2 check character. */
export function isValidChineseId(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  if (!PROVINCES.has(Number(id.slice(0, 2)))) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

/** Mainland mobile numbers: 11 digits, 1[3-9]…, optionally after +86 / 86. */
export function isMobileNumber(digits: string): boolean {
  return /^1[3-9]\d{9}$/.test(digits);
}

export function luhn(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let v = digits.charCodeAt(i) - 48;
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** Bank card numbers: 16–19 digits, a card-scheme prefix (UnionPay 62, Visa 4, Mastercard 51–55/22–27, Amex 34/37, JCB 35) and Luhn. */
export function isBankCard(digits: string): boolean {
  if (digits.length < 16 || digits.length > 19) return false;
  if (!/^(62|4|5[1-5]|2[2-7]|3[457])/.test(digits)) return false;
  return luhn(digits);
}

export function findChineseIds(text: string, runs: DigitRun[] = digitRuns(text)): Span[] {
  const out: Span[] = [];
  for (const r of runs) {
    const id = r.digits + (r.x ? 'X' : '');
    if (id.length === 18 && isValidChineseId(id)) out.push({ start: r.start, end: r.end });
  }
  return out;
}

export function findMobiles(text: string, runs: DigitRun[] = digitRuns(text)): Span[] {
  const out: Span[] = [];
  for (const r of runs) {
    if (r.x) continue;
    let digits = r.digits;
    let start = r.start;
    if (digits.length === 13 && digits.startsWith('86')) {
      digits = digits.slice(2);
      start = skipDigits(text, r.start, 2);
    }
    if (digits.length === 11 && isMobileNumber(digits)) out.push({ start, end: r.end });
  }
  return out;
}

export function findBankCards(text: string, runs: DigitRun[] = digitRuns(text)): Span[] {
  const out: Span[] = [];
  for (const r of runs) {
    if (r.x) continue;
    if (r.digits.length === 18 && isValidChineseId(r.digits)) continue;
    if (isBankCard(r.digits)) out.push({ start: r.start, end: r.end });
  }
  return out;
}

function skipDigits(text: string, from: number, count: number): number {
  const digitAt = (i: number) => DIGIT_VALUE[foldUnit(text.charCodeAt(i))]! < 10;
  let i = from;
  let seen = 0;
  while (i < text.length && seen < count) {
    if (digitAt(i)) seen++;
    i++;
  }
  while (i < text.length && !digitAt(i)) i++;
  return i;
}

const DEADLINE =
  /(?:截止(?:日期|时间)?(?:为|是|到|至)?[:：]?\s{0,2}(\d{4})\s{0,2}年\s{0,2}(\d{1,2})\s{0,2}月\s{0,2}(\d{1,2})\s{0,2}日)|(?:[请须应需]于\s{0,2}(\d{4})\s{0,2}年\s{0,2}(\d{1,2})\s{0,2}月\s{0,2}(\d{1,2})\s{0,2}日(?:\s{0,2}\d{1,2}(?:[:：]\d{2}|时))?\s{0,2}(?:前|之前|以前))|(?:(\d{4})-(\d{1,2})-(\d{1,2})\s{0,2}(?:前|之前)?截止)/g;

/** Cheap test on the original text: can it contain a deadline at all? */
export const MAY_HAVE_DEADLINE = /截止|[请請须須应應需]\s{0,2}[于於]/;

/** Code units `\s` matches, and the characters `[请請须須应應需]` of MAY_HAVE_DEADLINE. */
const SPACE = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) if (/\s/.test(String.fromCharCode(c))) SPACE[c] = 1;
const MUST = new Uint8Array(65536);
for (const ch of '请請须須应應需') MUST[ch.charCodeAt(0)] = 1;

/**
 * `MAY_HAVE_DEADLINE.test(text)`, by searching for 截 and 于 / 於 with
 * `indexOf` and looking around them: about three times faster on long posts,
 * where it runs on nearly every post (于 is everywhere in official text).
 */
export function mayHaveDeadline(text: string): boolean {
  for (let i = text.indexOf('截'); i >= 0; i = text.indexOf('截', i + 1)) if (text.charCodeAt(i + 1) === 0x6b62 /* 止 */) return true;
  for (let y = 0; y < 2; y++) {
    const ch = y === 0 ? '于' : '於';
    for (let j = text.indexOf(ch); j >= 0; j = text.indexOf(ch, j + 1)) {
      // [请請须須应應需] then at most two `\s` right before it.
      for (let p = j - 1, w = 0; w <= 2 && p >= 0; w++, p--) {
        const c = text.charCodeAt(p);
        if (MUST[c]) return true;
        if (!SPACE[c]) break;
      }
    }
  }
  return false;
}

/**
 * Deadlines stated in a post (报名截止时间为2025年3月1日, 请于2025年3月31日前提交)
 * that are already past on the post's publication `date`.
 */
export function findPastDeadlines(text: string, date: string): Span[] {
  const out: Span[] = [];
  if (!mayHaveDeadline(text)) return out;
  DEADLINE.lastIndex = 0;
  for (let m = DEADLINE.exec(text); m; m = DEADLINE.exec(text)) {
    const g = m[1] ? [m[1], m[2], m[3]] : m[4] ? [m[4], m[5], m[6]] : [m[7], m[8], m[9]];
    const y = Number(g[0]);
    const mo = Number(g[1]);
    const d = Number(g[2]);
    if (mo < 1 || mo > 12 || d < 1 || d > 31) continue;
    const deadline = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    if (deadline < date) out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Unicode's bidirectional formatting characters: embeddings, overrides and isolates with their terminators, and the marks. */
export const BIDI_CONTROLS = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
const BIDI = new Set(BIDI_CONTROLS.map((c) => c.charCodeAt(0)));
/** How far an unterminated embedding, override or isolate is reported (it lasts to the end of its paragraph). */
const BIDI_REACH = 100;

/**
 * Bidirectional control characters (U+202A–U+202E, U+2066–U+2069, the
 * marks): invisible, they make a title or body display in another order
 * than it is stored (‮ reverses what follows), so what a reviewer reads is
 * not what is published. Each span runs from an embedding, override or
 * isolate to the character that ends it (or the end of the line, at most a
 * hundred characters); a mark or a stray terminator is a span of its own.
 */
export function findBidiControls(text: string): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!BIDI.has(c)) continue;
    let end = i + 1;
    const opens = (c >= 0x202a && c <= 0x202e && c !== 0x202c) || (c >= 0x2066 && c <= 0x2068);
    if (opens) {
      const close = c >= 0x2066 ? 0x2069 : 0x202c;
      while (end < text.length && end - i < BIDI_REACH && text.charCodeAt(end) !== close && text.charCodeAt(end) !== 10) end++;
      if (end < text.length && text.charCodeAt(end) === close) end++;
    }
    out.push({ start: i, end });
    i = end - 1;
  }
  return out;
}
