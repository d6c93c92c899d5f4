/**
 * Word boundaries for terms found inside running text (@node-rs/jieba via
 * segment.ts): a term is a finding only when it does not cut through the
 * words around it. A cheap test on common two-character words comes first,
 * then the segmenter on the clause around the candidate, remembered for the
 * last few thousand clause windows.
 */
import { HARD_GAP, type NormalizedText } from './normalize.js';
import type { TokenEdges } from './dictionary-segmenter.js';
import { commonWords, fitsWords, tokenEdges } from './segment.js';

const SEGMENT_WINDOW = 10;
/** Clauses up to this many characters are segmented whole. */
const CLAUSE = 40;
/** Clause windows whose segmentation is remembered. */
const SEGMENT_CACHE = 4096;
/** Dictionary frequency from which a two-character word counts for `edgeCutsWord`. */
const BIGRAM_MIN_FREQUENCY = 500;

/** Segmentation of one field's clause windows, by kept-index range. */
export type SegmentCache = Map<string, { edges: Uint8Array; unit: Int32Array; from: number }>;

export class WordFit {
  /** Recently segmented clause windows (see `segmented`), least recently used first. */
  private readonly segments = new Map<string, Uint8Array>();
  /** Common two-character BMP words as `first * 65536 + second` (see edgeCutsWord). */
  private commonPairs: Set<number> | null = null;

  /** `segment`: jieba's segmentation (default: the native segmenter, segment.ts). */
  constructor(private readonly segment: TokenEdges = tokenEdges) {}

  /**
   * Cheap necessary test for strict word boundaries: a common two-character
   * word made of an edge character and its direct neighbour (信息 after
   * 公开信, 便利 after 最大便) means the edge cuts through a word. Saves the
   * segmenter most calls on official text.
   */
  private edgeCutsWord(norm: NormalizedText, s: number, e: number): boolean {
    const pairs = (this.commonPairs ??= bmpPairs(commonWords(BIGRAM_MIN_FREQUENCY)));
    const cp = norm.cp;
    if (s > 0 && norm.gap[s] === 0 && cp[s]! < 65536 && pairs.has(cp[s - 1]! * 65536 + cp[s]!)) return true;
    return e + 1 < norm.length && norm.gap[e + 1] === 0 && cp[e + 1]! < 65536 && pairs.has(cp[e]! * 65536 + cp[e + 1]!);
  }

  /**
   * Token edges of a clause window, remembered for the last few thousand
   * windows: official posts repeat their boilerplate (footers, standard
   * formulations), and segmentation is the most expensive check there is.
   */
  private segmented(str: string): Uint8Array {
    let edges = this.segments.get(str);
    if (edges) {
      this.segments.delete(str);
      this.segments.set(str, edges);
      return edges;
    }
    edges = this.segment(str);
    this.segments.set(str, edges);
    if (this.segments.size > SEGMENT_CACHE) this.segments.delete(this.segments.keys().next().value!);
    return edges;
  }

  /** Whether kept characters s..e sit on word boundaries (`strict`: both edges on token edges). */
  fits(
    norm: NormalizedText,
    s: number,
    e: number,
    strict: boolean,
    cache: SegmentCache,
  ): boolean {
    // Set apart by punctuation, spaces or the field's ends on both sides: the edges are word edges already.
    if ((s === 0 || norm.gap[s]! > 0) && (e + 1 >= norm.length || norm.gap[e + 1]! > 0)) return true;
    if (strict && this.edgeCutsWord(norm, s, e)) return false;
    // The whole clause when it is short (every candidate in it shares one segmentation), else a window around the candidate.
    let from = s;
    while (from > 0 && norm.gap[from] !== HARD_GAP && s - from < CLAUSE) from--;
    let to = e;
    while (to + 1 < norm.length && norm.gap[to + 1] !== HARD_GAP && to - from < CLAUSE) to++;
    if (to - from >= CLAUSE) {
      from = s;
      while (from > 0 && norm.gap[from] !== HARD_GAP && s - from < SEGMENT_WINDOW) from--;
      to = e;
      while (to + 1 < norm.length && norm.gap[to + 1] !== HARD_GAP && to - e < SEGMENT_WINDOW) to++;
    }
    const id = `${from}:${to}`;
    let seg = cache.get(id);
    if (!seg) {
      const unit = new Int32Array(to - from + 2);
      let str = '';
      for (let i = from; i <= to; i++) {
        unit[i - from] = str.length;
        str += String.fromCodePoint(norm.cp[i]!);
      }
      unit[to - from + 1] = str.length;
      seg = { edges: this.segmented(str), unit, from };
      cache.set(id, seg);
    }
    return fitsWords(seg.edges, seg.unit[s - seg.from]!, seg.unit[e + 1 - seg.from]!, strict);
  }
}

/** Two-character words of the BMP as `first * 65536 + second`. */
function bmpPairs(words: Map<string, number>): Set<number> {
  const pairs = new Set<number>();
  for (const w of words.keys()) {
    if (w.length === 2) pairs.add(w.charCodeAt(0) * 65536 + w.charCodeAt(1));
  }
  return pairs;
}

