/**
 * Toneless pinyin for homophone matching (@napi-rs/pinyin): every Han
 * character of the BMP gets a syllable id, so 堵博 and 赌博 both read du-bo.
 * The table is built lazily, once per thread, only when some rule asks for
 * homophones. Heteronyms use the library's default reading.
 */
import { pinyin } from '@napi-rs/pinyin';

interface SyllableTable {
  /** Syllable id (1-based) of each BMP code point; 0 for non-Han characters. */
  ids: Uint16Array;
  /** Syllable spelling of each id. */
  names: string[];
}

let table: SyllableTable | null = null;

export function syllables(): SyllableTable {
  if (table) return table;
  const ids = new Uint16Array(65536);
  const names: string[] = [''];
  const idOf = new Map<string, number>();
  const ranges: Array<[number, number]> = [
    [0x3400, 0x4dbf],
    [0x4e00, 0x9fff],
  ];
  for (const [from, to] of ranges) {
    for (let c = from; c <= to; c++) {
      const r = pinyin(String.fromCharCode(c)) as string[];
      const s = r.length === 1 ? r[0]! : '';
      if (!/^[a-zü]+$/.test(s)) continue;
      let id = idOf.get(s);
      if (id === undefined) {
        id = names.length;
        names.push(s);
        idOf.set(s, id);
      }
      ids[c] = id;
    }
  }
  table = { ids, names };
  return table;
}

/** Toneless pinyin of each character of `text` ('' where there is none). */
export function readings(text: string): string[] {
  const t = syllables();
  return Array.from(text, (ch) => {
    const c = ch.codePointAt(0)!;
    return c < 65536 ? t.names[t.ids[c]!]! : '';
  });
}
