/**
 * Toneless pinyin (@napi-rs/pinyin) for homophone rules: 堵博 and 度博 read
 * du-bo like 赌博. Homophones are drawn from the 3,755 level-1 characters of
 * GB 2312 (the characters people actually type) so that a term's variants stay
 * few enough to compile into the automaton, keeping scans single-pass.
 * Heteronyms use the library's default reading.
 */
import { pinyin } from '@napi-rs/pinyin';

const readingCache = new Map<string, string>();

/** Toneless pinyin of one character, or '' when it has none. */
export function reading(ch: string): string {
  let r = readingCache.get(ch);
  if (r === undefined) {
    const out = pinyin(ch) as string[];
    r = out.length === 1 && /^[a-zü]+$/.test(out[0]!) ? out[0]! : '';
    readingCache.set(ch, r);
  }
  return r;
}

/** Toneless pinyin of each character of `text` ('' where there is none). */
export function readings(text: string): string[] {
  return Array.from(text, reading);
}

let bySyllable: Map<string, string[]> | null = null;

/** GB 2312 level-1 characters (rows 16–55) grouped by toneless reading. */
function commonBySyllable(): Map<string, string[]> {
  if (bySyllable) return bySyllable;
  const bytes: number[] = [];
  for (let hi = 0xb0; hi <= 0xd7; hi++) for (let lo = 0xa1; lo <= 0xfe; lo++) bytes.push(hi, lo);
  const chars = Array.from(new TextDecoder('gbk').decode(Uint8Array.from(bytes))).filter((c) => /\p{Script=Han}/u.test(c));
  bySyllable = new Map();
  for (const c of chars) {
    const r = reading(c);
    if (!r) continue;
    const list = bySyllable.get(r);
    if (list) list.push(c);
    else bySyllable.set(r, [c]);
  }
  return bySyllable;
}

/** Common characters that read like `ch` (without `ch` itself). */
export function homophonesOf(ch: string): string[] {
  const r = reading(ch);
  if (!r) return [];
  return (commonBySyllable().get(r) ?? []).filter((c) => c !== ch);
}
