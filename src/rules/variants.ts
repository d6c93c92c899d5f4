/**
 * Spelling variants of a rule term that the automaton should also find, all
 * generated at compile time so scanning costs nothing extra:
 * - numerals: Chinese numerals ↔ financial numerals ↔ Arabic digits
 *   (六四 → 陆肆, 64); ① ⑴ ⒈ ㈠ are already folded by the normaliser;
 * - split: characters written as components (赌博 → 贝者博, 贝者十尃);
 * - pinyin letters: the term spelled in toneless pinyin (赌博 → dubo);
 * - homophones: one character (both, in two-character terms) replaced by common
 *   characters with the same toneless reading (赌博 → 堵博, 度搏), for terms marked `pinyin`.
 */
import { CHAIZI } from './tables/chaizi.js';
import { homophonesOf, readings } from './phonetic.js';

/** Variants per term are capped so a long term cannot blow up the automaton. */
export const MAX_VARIANTS = 64;
/** Homophone variants per term (single substitutions first, then pairs). */
export const MAX_HOMOPHONES = 240;

export type VariantKind = 'exact' | 'numerals' | 'split' | 'pinyin' | 'homophone';

export interface TermVariant {
  text: string;
  kind: VariantKind;
}

const HAN_DIGITS = '〇一二三四五六七八九';
const HAN_DIGITS_ALT: Record<string, string> = { 零: '0' };
const FINANCIAL = '零壹贰叁肆伍陆柒捌玖';

function product(choices: string[][], limit: number): string[] {
  let acc = [''];
  for (const opts of choices) {
    const next: string[] = [];
    for (const prefix of acc) {
      for (const o of opts) {
        next.push(prefix + o);
        if (next.length >= limit) break;
      }
      if (next.length >= limit) break;
    }
    acc = next;
  }
  return acc;
}

/** Value of a Chinese number with 十 (十四 → 14, 二十一 → 21), or null. */
function hanNumberValue(run: string): number | null {
  const m = /^([一二三四五六七八九])?十([一二三四五六七八九])?$/.exec(run);
  if (!m) return null;
  const tens = m[1] ? HAN_DIGITS.indexOf(m[1]) : 1;
  const ones = m[2] ? HAN_DIGITS.indexOf(m[2]) : 0;
  return tens * 10 + ones;
}

function numeralVariants(term: string): string[] {
  const choices: string[][] = [];
  for (const ch of term) {
    const d = HAN_DIGITS.indexOf(ch);
    const v = d >= 0 ? String(d) : HAN_DIGITS_ALT[ch];
    if (v !== undefined) choices.push([ch, FINANCIAL[Number(v)]!, v]);
    else if (ch === '十') choices.push([ch, '拾']);
    else choices.push([ch]);
  }
  const out = product(choices, MAX_VARIANTS);
  // Whole numbers with 十 as Arabic: 十四 → 14.
  const withTen = term.replace(/[一二三四五六七八九]?十[一二三四五六七八九]?/g, (run) => String(hanNumberValue(run) ?? run));
  if (withTen !== term) out.push(withTen);
  return out;
}

function splitVariants(term: string): string[] {
  const choices = Array.from(term, (ch) => [ch, ...(CHAIZI[ch] ?? [])]);
  return product(choices, MAX_VARIANTS);
}

/** The term spelled in toneless pinyin letters, or null when a character has no reading. */
export function pinyinSpelling(term: string): string | null {
  const r = readings(term.replace(/[^\p{Script=Han}]/gu, ''));
  if (r.length < 2 || r.some((s) => s === '')) return null;
  return r.join('');
}

/** The term with one, then two, characters replaced by homophones. */
function homophoneVariants(term: string): string[] {
  const chars = Array.from(term);
  const alts = chars.map((c) => (/\p{Script=Han}/u.test(c) ? homophonesOf(c) : []));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    for (const a of alts[i]!) {
      const v = [...chars];
      v[i] = a;
      out.push(v.join(''));
    }
  }
  // Both characters replaced only in two-character terms (沙比 for 傻逼); longer terms keep one of two.
  const pairs = chars.length === 2;
  for (let i = 0; pairs && i < chars.length && out.length < MAX_HOMOPHONES; i++) {
    for (let j = i + 1; j < chars.length && out.length < MAX_HOMOPHONES; j++) {
      for (const a of alts[i]!) {
        for (const b of alts[j]!) {
          const v = [...chars];
          v[i] = a;
          v[j] = b;
          out.push(v.join(''));
          if (out.length >= MAX_HOMOPHONES) break;
        }
        if (out.length >= MAX_HOMOPHONES) break;
      }
    }
  }
  return out.slice(0, MAX_HOMOPHONES);
}

/** All variants of a term for the given options, the exact spelling first, without duplicates. */
export function termVariants(term: string, opts: { numerals?: boolean; split?: boolean; pinyin?: boolean }): TermVariant[] {
  const out: TermVariant[] = [{ text: term, kind: 'exact' }];
  const seen = new Set([term]);
  const add = (text: string, kind: VariantKind) => {
    if (seen.has(text) || (kind !== 'homophone' && out.length >= MAX_VARIANTS)) return;
    seen.add(text);
    out.push({ text, kind });
  };
  if (opts.numerals) for (const v of numeralVariants(term)) add(v, 'numerals');
  if (opts.split) for (const v of splitVariants(term)) add(v, 'split');
  if (opts.pinyin) {
    const p = pinyinSpelling(term);
    if (p) add(p, 'pinyin');
    for (const v of homophoneVariants(term)) add(v, 'homophone');
  }
  return out;
}
