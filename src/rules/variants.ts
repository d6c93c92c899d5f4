/**
 * Spelling variants of a rule term that the automaton should also find, all
 * generated at compile time so scanning costs nothing extra:
 * - numerals: Chinese numerals ↔ financial numerals ↔ Arabic digits
 *   (六四 → 陆肆, 64); ① ⑴ ⒈ ㈠ are already folded by the normaliser;
 * - split: characters written as components (赌博 → 贝者博, 贝者十尃);
 * - pinyin letters: the term spelled in toneless pinyin (赌博 → dubo), whole or
 *   for any run of its characters (全网最低价 → 全网zuidi价, 傻逼 → sha逼);
 * - homophones: one character replaced by a common character with the same
 *   toneless reading (习近平 → 习近萍), for terms of three or more characters
 *   marked `pinyin`, and for two-character terms marked `homophones` (赌博 →
 *   堵博): a two-character word has many sound-alikes that are ordinary words
 *   (女权 for 女拳, 她妈 for 他妈), so short terms opt in rule by rule. Replacing every
 *   character of a word turns it into other words (博彩 → 箔材, a steel
 *   product), so known double substitutions (菠菜 for 博彩) are listed as terms;
 *   a variant that is itself a common word (博采 in 博采众长), or whose
 *   substitute makes one with its neighbour (适用 in 内部适用), is left out.
 *
 * Numeral variants made only of Arabic digits are left out too: 145 is a
 * number, not a way to write 十四五.
 */
import { CHAIZI } from './tables/chaizi.js';
import { homophonesOf, reading, readings } from './phonetic.js';
import { commonWords } from './segment.js';

/** Dictionary frequency from which a homophone variant counts as a common word (the edge bundle holds these words too). */
const COMMON_WORD_FREQUENCY = 500;

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

/** The term with one character replaced by a homophone, common words left out. */
function homophoneVariants(term: string): string[] {
  const chars = Array.from(term);
  const common = commonWords(COMMON_WORD_FREQUENCY);
  const out: string[] = [];
  for (let i = 0; i < chars.length && out.length < MAX_HOMOPHONES; i++) {
    if (!/\p{Script=Han}/u.test(chars[i]!)) continue;
    for (const a of homophonesOf(chars[i]!)) {
      const v = [...chars];
      v[i] = a;
      const text = v.join('');
      // The substitute forms a common word with a neighbour (适用 in 内部适用 for 内部使用): ordinary text, not an evasion.
      const makesWord = (i > 0 && common.has(v[i - 1]! + a)) || (i + 1 < v.length && common.has(a + v[i + 1]!));
      if (!common.has(text) && !makesWord) out.push(text);
      if (out.length >= MAX_HOMOPHONES) break;
    }
  }
  return out;
}

/** The term with each run of two or more of its characters, and each single character, spelled in pinyin (全网zuidi价). */
function mixedPinyinVariants(term: string): string[] {
  const chars = Array.from(term);
  const syl = chars.map((c) => (/\p{Script=Han}/u.test(c) ? reading(c) : ''));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    for (let j = i; j < chars.length; j++) {
      if (i === 0 && j === chars.length - 1) continue;
      if (syl.slice(i, j + 1).some((x) => x === '')) break;
      out.push([...chars.slice(0, i), ...syl.slice(i, j + 1), ...chars.slice(j + 1)].join(''));
    }
  }
  return out;
}

const ALL_DIGITS = /^[0-9]+$/;

/** All variants of a term for the given options, the exact spelling first, without duplicates. */
export function termVariants(term: string, opts: { numerals?: boolean; split?: boolean; pinyin?: boolean; homophones?: boolean }): TermVariant[] {
  const out: TermVariant[] = [{ text: term, kind: 'exact' }];
  const seen = new Set([term]);
  const add = (text: string, kind: VariantKind) => {
    if (seen.has(text) || (kind !== 'homophone' && out.length >= MAX_VARIANTS)) return;
    seen.add(text);
    out.push({ text, kind });
  };
  if (opts.numerals) for (const v of numeralVariants(term)) if (!ALL_DIGITS.test(v)) add(v, 'numerals');
  if (opts.split) for (const v of splitVariants(term)) add(v, 'split');
  if (opts.pinyin) {
    const p = pinyinSpelling(term);
    if (p) add(p, 'pinyin');
    if (Array.from(term).length <= 6) for (const v of mixedPinyinVariants(term)) add(v, 'pinyin');
  }
  const han = Array.from(term).filter((c) => /\p{Script=Han}/u.test(c)).length;
  if ((opts.pinyin && han >= 3) || (opts.homophones && han >= 2)) for (const v of homophoneVariants(term)) add(v, 'homophone');
  return out;
}
