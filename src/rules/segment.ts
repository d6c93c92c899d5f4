/**
 * Word segmentation (@node-rs/jieba) for false-positive control: a term found
 * by the automaton is only a finding when it does not cut through the words
 * around it — 大便 in 最大便利 (最大/便利), 公开信 in 公开信息, 华人 in
 * 中华人民共和国 are not. Segmentation is slow next to the automaton, so it
 * runs only on the clause around a candidate, and the dictionary loads lazily
 * (once per thread) the first time a candidate needs it.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | null = null;

function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

/** Token start/end offsets (code units) of `text`: `result[i]` is 1 when a token starts or ends at i. */
export function tokenEdges(text: string): Uint8Array {
  const edges = new Uint8Array(text.length + 1);
  edges[0] = 1;
  let at = 0;
  for (const tok of segmenter().cut(text, false)) {
    at += tok.length;
    edges[at] = 1;
  }
  edges[text.length] = 1;
  return edges;
}

/**
 * Whether a hit at [start, end) of a segmented clause sits acceptably on word
 * boundaries. `strict`: both edges on token edges. Otherwise a hit may also be
 * the beginning or the end of one longer word (赌博 in 赌博机, 黑社会 in
 * 黑社会性质), but not the inside of one (华人 in 中华人民共和国) nor straddle two
 * (大便 in 最大/便利).
 */
export function fitsWords(edges: Uint8Array, start: number, end: number, strict: boolean): boolean {
  const s = edges[start] === 1;
  const e = edges[end] === 1;
  if (s && e) return true;
  if (strict) return false;
  // Neither edge on a boundary, or an edge inside a word that does not contain the whole hit.
  for (let i = start + 1; i < end; i++) if (edges[i] === 1) return false;
  return s || e;
}

const frequencies = new Map<number, Map<string, number>>();

/**
 * Words of the segmentation dictionary used at least `minFrequency` times in
 * its corpus, with their counts. Used to recognise general vocabulary in plain
 * word lists (see lexicon.ts). Memoised per threshold.
 */
export function commonWords(minFrequency: number): Map<string, number> {
  const cached = frequencies.get(minFrequency);
  if (cached) return cached;
  const text = Buffer.from(dict.buffer, dict.byteOffset, dict.byteLength).toString('utf8');
  const words = new Map<string, number>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    let j = sp + 1;
    let f = 0;
    for (let c = text.charCodeAt(j); c >= 48 && c <= 57; c = text.charCodeAt(++j)) f = f * 10 + c - 48;
    if (f >= minFrequency) words.set(text.slice(i, sp), f);
    const nl = text.indexOf('\n', j);
    if (nl < 0) break;
    i = nl + 1;
  }
  frequencies.set(minFrequency, words);
  return words;
}
