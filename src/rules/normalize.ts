/**
 * The normaliser: turns a post into the skeleton the matcher runs on, keeping a
 * map from every skeleton character back to the original string so findings
 * can quote exactly what the author wrote (evasion characters included).
 *
 * Per code point, through precomputed tables (no regex or opencc call on the
 * hot path):
 * - full-width → half-width, case folding, traditional → simplified,
 *   circled / parenthesised / full-stop digits (①⑴⒈) → ASCII, ㈠ → 一;
 * - the few emoji people write for a character (扫🐎 for 扫码 via 马, 🌿泥🐴,
 *   微❤ for 微信 via 心) → that character, so homophone rules see it;
 * - letters and digits are kept; everything else is interference
 *   (spaces, punctuation, symbols, emoji, zero-width and format characters) and
 *   is skipped, but the number skipped before each kept character is recorded so
 *   the matcher can limit how far apart the letters of a term may be;
 * - clause punctuation of real prose (。，、；：！？) and line breaks are hard
 *   breaks: a term never matches across them.
 * Repeated characters are left in the skeleton; the automaton collapses runs
 * while scanning (see automaton.ts), so terms such as 嘻嘻哈哈 keep their shape.
 */
import { classOfCodePoint, MAX_INNER_GAP, step, type AutomatonData, type MatchBuffer } from './automaton.js';
import { buildT2S } from './tables/t2s.js';

/** Kind of a code point for the skeleton. */
export const Kind = { Letter: 0, Soft: 1, Hard: 2 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** `gap` value meaning "a hard break lies between this character and the previous one". */
export const HARD_GAP = 255;
const MAX_SOFT_GAP = 254;

const HARD_BREAKS = '\n\r\u2028\u2029\u3002\uff0c\u3001\uff1b\uff1a\uff01\uff1f';

/**
 * Emoji written in place of a character (the sound or the picture of it), with
 * the character they stand for. Other emoji stay interference.
 */
const EMOJI_FOLD = new Map<number, string>([
  [0x1f40e, '马'], [0x1f434, '马'], [0x1f414, '鸡'], [0x1f413, '鸡'], [0x1f986, '鸭'], [0x1f48a, '药'],
  [0x1f343, '叶'], [0x1f33f, '草'], [0x1f4b0, '钱'], [0x1f436, '狗'], [0x1f415, '狗'], [0x1f437, '猪'],
  [0x1f416, '猪'], [0x1f42e, '牛'], [0x1f404, '牛'], [0x1f402, '牛'], [0x1f422, '龟'], [0x1f40d, '蛇'],
  [0x1f412, '猴'], [0x1f004, '中'], [0x1f236, '有'], [0x1f21a, '无'], [0x1f251, '可'], [0x1f232, '禁'],
  [0x1f237, '月'], [0x1f250, '得'], [0x1f234, '合'], [0x2764, '心'], [0x2744, '冰'],
]);
const EMOJI_ASTRAL = new Map<number, number>([...EMOJI_FOLD].filter(([cp]) => cp >= 0x10000).map(([cp, ch]) => [cp, ch.charCodeAt(0)]));

/** FOLD[c]: folded form of BMP code unit c. KIND[c]: its Kind. */
const FOLD = new Uint16Array(65536);
const KIND = new Uint8Array(65536);

(function buildTables() {
  const t2s = buildT2S();
  const letter = /[\p{L}\p{N}]/u;
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdfff) {
      FOLD[c] = c;
      KIND[c] = Kind.Soft;
      continue;
    }
    let f = c;
    if (f >= 0xff01 && f <= 0xff5e) f -= 0xfee0;
    else if (f === 0x3000) f = 0x20;
    const ch = String.fromCharCode(f);
    const lower = ch.toLowerCase();
    if (lower.length === 1) f = lower.charCodeAt(0);
    f = t2s[f]!;
    FOLD[c] = f;
    KIND[c] = letter.test(ch) ? Kind.Letter : Kind.Soft;
  }
  for (const ch of HARD_BREAKS) KIND[ch.charCodeAt(0)] = Kind.Hard;
  const digitRuns: Array<[number, number]> = [
    [0x2460, 1], // ①..⑨
    [0x2474, 1], // ⑴..⑼
    [0x2488, 1], // ⒈..⒐
    [0x2776, 1], // ❶..❾
    [0x2780, 1], // ➀..➈
    [0x278a, 1], // ➊..➒
  ];
  for (const [from, first] of digitRuns) {
    for (let k = 0; k < 9; k++) FOLD[from + k] = 0x30 + first + k;
  }
  FOLD[0x24ea] = 0x30; // ⓪
  FOLD[0x24ff] = 0x30; // ⓿
  const hanNumerals = '一二三四五六七八九十';
  for (let k = 0; k < 10; k++) {
    FOLD[0x3220 + k] = hanNumerals.charCodeAt(k); // ㈠..㈩
    FOLD[0x3280 + k] = hanNumerals.charCodeAt(k); // ㊀..㊉
  }
  for (const [cp, ch] of EMOJI_FOLD) {
    if (cp >= 0x10000) continue;
    FOLD[cp] = ch.charCodeAt(0);
    KIND[cp] = Kind.Letter;
  }
})();

const EMOJI_OR_SYMBOL = /[\p{Extended_Pictographic}\p{S}\p{M}\p{Cf}\p{Z}\p{P}\p{Cc}\p{Co}]/u;

/** Kind of any code point (astral ones included: emoji are interference, rare Han are letters). */
export function kindOf(cp: number): Kind {
  if (cp < 65536) return KIND[cp] as Kind;
  if (EMOJI_ASTRAL.has(cp)) return Kind.Letter;
  return EMOJI_OR_SYMBOL.test(String.fromCodePoint(cp)) ? Kind.Soft : Kind.Letter;
}

/** Folded form of one UTF-16 code unit (no surrogate handling: for digit and punctuation scans). */
export function foldUnit(c: number): number {
  return FOLD[c]!;
}

/** Every BMP code unit whose folded form is one of `chars` (full-width, traditional and upper-case forms included), in code order. */
export function foldPreimages(chars: readonly string[]): string[] {
  const want = new Set(chars.filter((c) => c.length === 1).map((c) => FOLD[c.charCodeAt(0)]!));
  const units: string[] = [];
  if (want.size === 0) return units;
  // One pass over the table, no index kept: engines ask this for a handful of pattern edge sets at start-up.
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (want.has(FOLD[c]!)) units.push(String.fromCharCode(c));
  }
  return units;
}

/** Folded form of one code point. */
export function foldCodePoint(cp: number): number {
  return cp < 65536 ? FOLD[cp]! : cp;
}

/** The skeleton of a text with its offset map. Arrays may be longer than `length` (reused buffers). */
export interface NormalizedText {
  /** Number of kept characters. */
  length: number;
  /** Folded code point of each kept character. */
  cp: Int32Array;
  /** Original code-unit offset of each kept character. */
  pos: Int32Array;
  /** Interference characters skipped right before each kept character; HARD_GAP for a clause break. */
  gap: Uint8Array;
  /** OR of `triggers[c]` over every code unit of the text (see `normalize`). */
  triggered: number;
  /** Longest run of digits, number separators (space, hyphen, zero-width) between them allowed; the validators need 11 or more. */
  maxDigits: number;
  /** The text normalised last, for offsets of characters written as two code units. */
  source: string;
}

export function emptyNormalized(capacity = 1024): NormalizedText {
  return { length: 0, cp: new Int32Array(capacity), pos: new Int32Array(capacity), gap: new Uint8Array(capacity), triggered: 0, maxDigits: 0, source: '' };
}

/**
 * The digit a folded character stands for in a number someone typed out
 * (ASCII, 〇一二…九, 零壹贰…玖, and 幺 as 1 is read in phone numbers), else 255.
 */
export const DIGIT_VALUE = new Uint8Array(65536).fill(255);
for (let d = 0; d < 10; d++) DIGIT_VALUE[48 + d] = d;
for (const [chars, d0] of [['〇一二三四五六七八九', 0], ['零壹贰叁肆伍陆柒捌玖', 0]] as const) {
  Array.from(chars).forEach((ch, i) => (DIGIT_VALUE[ch.charCodeAt(0)] = d0 + i));
}
DIGIT_VALUE['幺'.charCodeAt(0)] = 1;
DIGIT_VALUE['貳'.charCodeAt(0)] = 2;
DIGIT_VALUE['陸'.charCodeAt(0)] = 6;

/** Bit 31 of a character table's second word: the character is a digit. */
const DIGIT_BIT = 0x80000000;

const NUMBER_SEPARATOR = new Uint8Array(65536);
for (const c of [0x20, 0x2d, 0xa0, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x3000, 0xff0d]) NUMBER_SEPARATOR[c] = 1;

/** Trigger-set indices fit in the 14 bits above fold and kind. */
const MAX_TRIGGER_SETS = 1 << 14;

/**
 * Per BMP code unit c, two 32-bit words side by side so one cache line serves
 * both: `info[2c]` holds the folded form (bits 0–15), the Kind (16–17) and
 * the index of the trigger bit set (18–31); `info[2c + 1]` the automaton's
 * class of the folded form. Built once per rule engine, because triggers and
 * classes depend on its rules.
 */
export interface CharTable {
  info: Uint32Array;
  /** Trigger bit sets by index; index 0 is the empty set. */
  sets: Uint32Array;
  /** The automaton the classes belong to; `normalize` walks it while it reads the text. */
  automaton: AutomatonData | null;
}

/**
 * Builds the table for `triggers` (bit set per code unit; see `normalize`)
 * and `automaton`. Should the patterns produce more than 16,383 distinct
 * trigger sets, the last index stands for the union of the rest: a superset
 * only makes the pattern prefilter let more through, never less.
 */
export function charTable(triggers: Uint32Array | null = null, automaton: AutomatonData | null = null): CharTable {
  const info = new Uint32Array(2 * 65536);
  const index = new Map<number, number>([[0, 0]]);
  const sets = [0];
  for (let c = 0; c < 65536; c++) {
    const t = triggers ? triggers[c]! : 0;
    let k = index.get(t);
    if (k === undefined) {
      if (sets.length < MAX_TRIGGER_SETS) {
        k = sets.length;
        sets.push(t);
        index.set(t, k);
      } else {
        k = MAX_TRIGGER_SETS - 1;
        sets[k]! |= t;
      }
    }
    info[2 * c] = FOLD[c]! | (KIND[c]! << 16) | (k << 18);
    // The automaton class in the low 16 bits, and bit 31 for a digit (the validators' digit runs).
    if (automaton && KIND[c] === Kind.Letter) info[2 * c + 1] = automaton.classOf[FOLD[c]!]!;
    if (KIND[c] === Kind.Letter && DIGIT_VALUE[FOLD[c]!]! < 10) info[2 * c + 1]! |= DIGIT_BIT;
  }
  return { info, sets: Uint32Array.from(sets), automaton };
}

const PLAIN = charTable();

/**
 * Normalises `text` into `into` (grown when too small) and returns it. Reusing
 * one buffer per engine keeps scans allocation-free. The union of the trigger
 * bit sets of `table` over the text lands in `into.triggered`, so the engine
 * learns in the same pass which patterns can possibly match. Given `matches`,
 * the table's automaton is walked over the skeleton as it is written — the
 * same matches as `scanAutomaton` on the finished skeleton, without a second
 * pass over it (`matches.count` is reset first).
 */
export function normalize(
  text: string,
  into: NormalizedText = emptyNormalized(text.length + 1),
  table: CharTable = PLAIN,
  matches: MatchBuffer | null = null,
): NormalizedText {
  const n = text.length;
  if (into.cp.length < n + 1) {
    const cap = Math.max(n + 1, into.cp.length * 2);
    into.cp = new Int32Array(cap);
    into.pos = new Int32Array(cap);
    into.gap = new Uint8Array(cap);
  }
  const { cp, pos, gap } = into;
  const { info, sets } = table;
  const a = matches ? table.automaton : null;
  if (matches) matches.count = 0;
  let s = 0;
  let prev = -1;
  let k = 0;
  let skipped = 0;
  let triggered = 0;
  let digits = 0;
  let maxDigits = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const x = info[2 * c]!;
    triggered |= sets[x >>> 18]!;
    const kind = (x >>> 16) & 3;
    if (kind === Kind.Letter) {
      const f = x & 0xffff;
      cp[k] = f;
      pos[k] = i;
      gap[k] = skipped;
      const w = info[2 * c + 1]!;
      if (a !== null) {
        // scanAutomaton's walk, one character at a time.
        if (skipped > MAX_INNER_GAP) {
          s = 0;
          prev = -1;
        }
        if (f !== prev) {
          prev = f;
          const cls = w & 0xffff;
          s = cls === 0 ? 0 : step(a, s, cls, k, matches!);
        }
      }
      k++;
      skipped = 0;
      if (w >>> 31) {
        if (++digits > maxDigits) maxDigits = digits;
      } else digits = 0;
    } else if (kind === Kind.Hard) {
      skipped = HARD_GAP;
      digits = 0;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        const astral = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        const full = EMOJI_ASTRAL.get(astral) ?? astral;
        if (full < 0x10000 || kindOf(full) === Kind.Letter) {
          cp[k] = full;
          pos[k] = i;
          gap[k] = skipped;
          if (a !== null) {
            if (skipped > MAX_INNER_GAP) {
              s = 0;
              prev = -1;
            }
            if (full !== prev) {
              prev = full;
              const cls = full < 0x10000 ? info[2 * full + 1]! & 0xffff : classOfCodePoint(a, full);
              s = cls === 0 ? 0 : step(a, s, cls, k, matches!);
            }
          }
          k++;
          skipped = 0;
        } else if (skipped < MAX_SOFT_GAP) skipped++;
        i++;
      } else if (skipped < MAX_SOFT_GAP) skipped++;
    } else {
      if (skipped < MAX_SOFT_GAP) skipped++;
      // Only the separators people type inside ID and phone numbers keep a digit run going.
      if (!NUMBER_SEPARATOR[c]) digits = 0;
    }
  }
  into.length = k;
  into.source = text;
  into.triggered = triggered;
  into.maxDigits = maxDigits;
  return into;
}

/** Original code-unit end offset of kept character `k` (an astral character, or an emoji read as a letter, takes two). */
export function endOffset(norm: NormalizedText, k: number): number {
  const p = norm.pos[k]!;
  const c = norm.source.charCodeAt(p);
  return p + (c >= 0xd800 && c <= 0xdbff ? 2 : 1);
}

/**
 * Folds `text` character by character without dropping anything, so offsets
 * into the result are offsets into `text`. Patterns and validators run on this.
 */
export function foldText(text: string): string {
  const n = text.length;
  let i = 0;
  while (i < n && FOLD[text.charCodeAt(i)] === text.charCodeAt(i)) i++;
  if (i === n) return text;
  const out = new Uint16Array(n);
  for (let k = 0; k < n; k++) out[k] = FOLD[text.charCodeAt(k)]!;
  return UTF16.decode(out);
}

const UTF16 = new TextDecoder('utf-16le');

/** Zero-width and bidi control characters, soft hyphen: invisible, so a pattern must see through them (秘​密★). */
const INVISIBLE = new Uint8Array(65536);
for (const [a, b] of [[0x00ad, 0x00ad], [0x180e, 0x180e], [0x200b, 0x200f], [0x202a, 0x202e], [0x2060, 0x2064], [0x2066, 0x2069], [0xfeff, 0xfeff]] as const) {
  for (let c = a; c <= b; c++) INVISIBLE[c] = 1;
}

/** A folded text without invisible characters, and where each of its code units was in the original. */
export interface VisibleText {
  text: string;
  /** Original offset of each code unit of `text`; null when nothing was removed (offsets are equal). */
  pos: Int32Array | null;
}

/**
 * `foldText` with invisible characters removed, for patterns and validators
 * that read the text as a regex sees it: 秘\u200b密★ reads 秘密★. Map a
 * span [a, b) back with `pos[a]` and `pos[b - 1] + 1`.
 */
export function foldVisible(text: string): VisibleText {
  const n = text.length;
  if (isFolded(text, 0, n)) return { text, pos: null };
  let i = 0;
  while (i < n && !INVISIBLE[text.charCodeAt(i)]) i++;
  if (i === n) return { text: foldText(text), pos: null };
  const out = new Uint16Array(n);
  const pos = new Int32Array(n);
  let k = 0;
  for (let j = 0; j < n; j++) {
    const c = text.charCodeAt(j);
    if (INVISIBLE[c]) continue;
    out[k] = FOLD[c]!;
    pos[k++] = j;
  }
  return { text: UTF16.decode(out.subarray(0, k)), pos: pos.subarray(0, k) };
}

/** Whether text[from, to) is already folded and visible (foldVisible would return it as it is): no copy needed. */
export function isFolded(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (FOLD[c] !== c || INVISIBLE[c]) return false;
  }
  return true;
}

/** A term reduced to the automaton's alphabet: runs of equal characters collapsed, with their minimum lengths. */
export interface TermKey {
  /** Folded code points of the term, interference removed. */
  chars: number[];
  /** One code point per run of equal characters. */
  key: number[];
  /** How many times each run's character must repeat (嘻嘻哈哈 → [2, 2]). */
  min: number[];
  /** `chars` and `key` as strings. */
  text: string;
  keyText: string;
}

/** Scratch UTF-16 units for `termKey` (terms longer than this are built in a fresh buffer). */
let termUnits = new Uint16Array(256);
let keyUnits = new Uint16Array(256);

/**
 * Normalises a rule term the same way the text is normalised. Runs once per
 * term and variant when packs and 51k-word lexicons compile, so the strings
 * are decoded once from code-unit buffers rather than grown a character at a time.
 */
export function termKey(term: string): TermKey {
  const chars: number[] = [];
  const key: number[] = [];
  const min: number[] = [];
  const n = term.length;
  if (termUnits.length < 2 * n) {
    termUnits = new Uint16Array(2 * n);
    keyUnits = new Uint16Array(2 * n);
  }
  let tu = 0;
  let ku = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const c = term.charCodeAt(i);
    let f: number;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      f = term.codePointAt(i)!;
      i++;
      if (f < 0x10000) {
        // A lone high surrogate before a non-surrogate: interference, like any other unpaired surrogate.
        i--;
        continue;
      }
      f = EMOJI_ASTRAL.get(f) ?? f;
      if (f >= 0x10000 && kindOf(f) !== Kind.Letter) continue;
    } else {
      if (KIND[c] !== Kind.Letter) continue;
      f = FOLD[c]!;
    }
    chars.push(f);
    const same = f === last;
    if (same) min[min.length - 1]!++;
    else {
      key.push(f);
      min.push(1);
      last = f;
    }
    if (f > 0xffff) {
      const hi = 0xd800 + ((f - 0x10000) >> 10);
      const lo = 0xdc00 + ((f - 0x10000) & 0x3ff);
      termUnits[tu++] = hi;
      termUnits[tu++] = lo;
      if (!same) {
        keyUnits[ku++] = hi;
        keyUnits[ku++] = lo;
      }
    } else {
      termUnits[tu++] = f;
      if (!same) keyUnits[ku++] = f;
    }
  }
  return { chars, key, min, text: unitsToString(termUnits, tu), keyText: unitsToString(keyUnits, ku) };
}

function unitsToString(units: Uint16Array, length: number): string {
  if (length === 0) return '';
  return String.fromCharCode.apply(null, units.subarray(0, length) as unknown as number[]);
}

/** The normalised string of a term or text (for display, hashing and tests). */
export function normalizedString(text: string): string {
  return termKey(text).text;
}
