/**
 * What the engine knows about each candidate finding, and the checks a
 * candidate passes before it is a finding: contexts (a cue in reach, in the
 * same sentence, not cut by a stop word, not inside a pseudo-cue), exceptions,
 * evaded spellings, ASCII edges, and which of two overlapping findings says
 * more. Pure functions over the normalised field (normalize.ts).
 */
import { MAX_INNER_GAP } from './automaton.js';
import { SENTENCE, type CompiledContext, type CompiledRules, type TermEntry } from './compile.js';
import { HARD_GAP, type NormalizedText } from './normalize.js';
import { sentenceStarts } from './sentences.js';

export interface Occurrence {
  s: number;
  e: number;
}

export interface Candidate {
  rule: number;
  entry: TermEntry | null;
  /** Explanation and fix of this occurrence (knowledge checks), over the rule's. */
  message?: string;
  suggestion?: string;
  /** Found in one of the rule's `unless.info` contexts: reported as info. */
  info?: boolean;
  /** Kept-character indices, inclusive. */
  s: number;
  e: number;
  /** The span including whole repeated runs at both ends (赌赌赌博博 for 赌博). */
  rs: number;
  re: number;
  start: number;
  end: number;
}

/**
 * A candidate with every field present in one order, whichever stage found
 * it: candidates of one shape keep the engine's verification monomorphic.
 */
export function candidate(rule: number, entry: TermEntry | null, s: number, e: number, rs: number, re: number, start: number, end: number, message?: string, suggestion?: string): Candidate {
  return { rule, entry, message, suggestion, info: false, s, e, rs, re, start, end };
}

const isAsciiAlnum = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 97 && cp <= 122);
const isDigit = (cp: number) => cp >= 48 && cp <= 57;

/** Whether kept characters s..e include a CJK ideograph (the segmenter has something to say). */
export function hasHan(norm: NormalizedText, s: number, e: number): boolean {
  for (let i = s; i <= e; i++) {
    const c = norm.cp[i]!;
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || c >= 0x20000) return true;
  }
  return false;
}

/**
 * A lexicon word inside a longer lexicon word at the same place (近平 in
 * 习近平) is the author's longer word, not a separate finding: it is dropped
 * (rule set to -1) before the expensive checks.
 */
export function dropNestedLexiconWords(c: CompiledRules, cands: Candidate[]): void {
  const lex = cands.filter((x) => x.rule >= 0 && c.rules[x.rule]!.lexicon);
  if (lex.length < 2) return;
  lex.sort((a, b) => a.start - b.start || b.end - a.end);
  let outerStart = -1;
  let outerEnd = -1;
  for (const x of lex) {
    if (x.end <= outerEnd && !(x.start === outerStart && x.end === outerEnd)) x.rule = -1;
    else if (x.end > outerEnd) {
      outerStart = x.start;
      outerEnd = x.end;
    }
  }
}

const ACTION_RANK = { info: 0, review: 1, block: 2 } as const;

/** Whether finding `r` is of `k`'s category and at least as weighty (action of the occurrence, then severity). */
export function sameCategoryOutranks(c: CompiledRules, r: Candidate, k: Candidate): boolean {
  const rr = c.rules[r.rule]!;
  const kr = c.rules[k.rule]!;
  if (rr.category !== kr.category) return false;
  const ra = r.info ? 0 : ACTION_RANK[rr.action];
  const ka = k.info ? 0 : ACTION_RANK[kr.action];
  return ra > ka || (ra === ka && SEVERITY_RANK[rr.severity] >= SEVERITY_RANK[kr.severity]);
}

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

export function lowerBound(a: Int32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An ASCII edge of a term must not continue a word or number of the text:
 * the neighbouring character must not be an ASCII letter or digit right next
 * to it, and a digit edge must not continue a number across a decimal point,
 * a comma or table spacing (24 in 2024, 89 in 7.89, 10010 in 1\t0\t0\t1\t0\t64).
 */
export function asciiEdgeOk(norm: NormalizedText, at: number, dir: -1 | 1): boolean {
  const inner = norm.cp[at]!;
  const nb = at + dir;
  if (nb < 0 || nb >= norm.length) return true;
  const g = dir < 0 ? norm.gap[at]! : norm.gap[nb]!;
  const other = norm.cp[nb]!;
  if (g === 0) return !isAsciiAlnum(other);
  return !(isDigit(inner) && isDigit(other) && g <= MAX_INNER_GAP);
}

/** A sentence of at most this many code units (punctuation included) is a heading for the next one. */
const HEADING = 6;

/**
 * Sentence bounds of a field in kept-character indices, computed once per
 * field (sentences.ts) the first time a candidate needs them.
 */
export class Sentences {
  private starts: Int32Array | null = null;
  constructor(
    private readonly text: string,
    private readonly norm: NormalizedText,
  ) {}

  private lastStart = -1;
  private last: [number, number] = [0, 0];

  /** [first, last] kept index of the sentence holding the candidate (asked once per context; the last answer is kept). */
  of(cand: Candidate): [number, number] {
    if (cand.start === this.lastStart) return this.last;
    this.lastStart = cand.start;
    const starts = (this.starts ??= sentenceStarts(this.text));
    // The last sentence start at or before the candidate.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= cand.start) lo = mid;
      else hi = mid - 1;
    }
    // A heading-like sentence right before (警惕！, 提醒：) speaks for the sentence after it.
    let a = starts[lo]!;
    if (lo > 0 && a - starts[lo - 1]! <= HEADING) a = starts[lo - 1]!;
    const z = lo + 1 < starts.length ? starts[lo + 1]! : this.text.length;
    this.last = [lowerBound(this.norm.pos, this.norm.length, a), lowerBound(this.norm.pos, this.norm.length, z) - 1];
    return this.last;
  }
}

/**
 * Whether a context holds for a candidate: a cue within its distance (or
 * sentence) on its side, with no stop phrase between cue and candidate. A cue
 * inside the candidate's own span counts only for exceptions (`overlap`): 卖
 * in 卖淫 does not make 卖淫 a sales offer, but 涉赌 does make 赌 a report.
 */
export function contextHolds(ctx: CompiledContext, phrases: Map<number, Occurrence[]>, cand: Candidate, sentences: Sentences, overlap: boolean): boolean {
  const { s, e } = cand;
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.within === SENTENCE) [lo, hi] = sentences.of(cand);
  // Walk the shorter list: the phrases present in the field (few) or the context's cues (a hundred for a warning).
  if (phrases.size < ctx.phrases.length) {
    const cues = cueSet(ctx);
    for (const [ph, occ] of phrases) {
      if (cues.has(ph) && occurrenceHolds(ctx, phrases, occ, s, e, lo, hi, overlap)) return true;
    }
    return false;
  }
  for (const ph of ctx.phrases) {
    const occ = phrases.get(ph);
    if (occ && occurrenceHolds(ctx, phrases, occ, s, e, lo, hi, overlap)) return true;
  }
  return false;
}

const cueSets = new WeakMap<CompiledContext, Set<number>>();
function cueSet(ctx: CompiledContext): Set<number> {
  let set = cueSets.get(ctx);
  if (!set) cueSets.set(ctx, (set = new Set(ctx.phrases)));
  return set;
}

/** Whether one cue's occurrences reach the candidate kept indices s..e (see contextHolds). */
function occurrenceHolds(
  ctx: CompiledContext,
  phrases: Map<number, Occurrence[]>,
  occ: readonly Occurrence[],
  s: number,
  e: number,
  lo: number,
  hi: number,
  overlap: boolean,
): boolean {
  const sentence = ctx.within === SENTENCE;
  for (const o of occ) {
    if (o.s < lo || o.e > hi || insidePseudo(ctx, phrases, o)) continue;
    const before = o.e < s && (sentence || s - o.e - 1 <= ctx.within) && !stopBetween(ctx, phrases, o.e, s);
    const after = o.s > e && (sentence || o.s - e - 1 <= ctx.within) && !stopBetween(ctx, phrases, e, o.s);
    const inside = overlap && o.s <= e && o.e >= s;
    if (ctx.side === 'before' ? before : ctx.side === 'after' ? after : before || after || inside) return true;
  }
  return false;
}

/** `contextHolds` for any of the contexts (a loop, not a closure per candidate: this runs for every candidate). */
export function anyContextHolds(ctxs: readonly CompiledContext[] | undefined, phrases: Map<number, Occurrence[]>, cand: Candidate, sentences: Sentences, overlap: boolean): boolean {
  if (!ctxs) return false;
  for (let i = 0; i < ctxs.length; i++) if (contextHolds(ctxs[i]!, phrases, cand, sentences, overlap)) return true;
  return false;
}

/** Whether a cue occurrence lies inside one of the context's pseudo-cue phrases. */
export function insidePseudo(ctx: CompiledContext, phrases: Map<number, Occurrence[]>, o: Occurrence): boolean {
  for (const ph of ctx.pseudo) {
    for (const p of phrases.get(ph) ?? []) if (p.s <= o.s && p.e >= o.e) return true;
  }
  return false;
}

/** Whether a stop phrase of the context lies strictly between kept indices a and b. */
export function stopBetween(ctx: CompiledContext, phrases: Map<number, Occurrence[]>, a: number, b: number): boolean {
  for (const ph of ctx.stops) {
    for (const o of phrases.get(ph) ?? []) if (o.s > a && o.e < b) return true;
  }
  return false;
}

/** Whether a candidate is spelled to evade: a split, pinyin or (for longer terms) homophone variant, or interference between every character. */
export function evaded(norm: NormalizedText, cand: Candidate): boolean {
  const kind = cand.entry?.kind;
  if (kind === 'split' || kind === 'pinyin') return true;
  // A sound-alike of a two-character word is as often an ordinary word (读博 for 赌博).
  if (kind === 'homophone') return cand.entry!.term.length > 2;
  if (!cand.entry || cand.e <= cand.s) return false;
  for (let i = cand.s + 1; i <= cand.e; i++) {
    const g = norm.gap[i]!;
    if (g === 0 || g === HARD_GAP) {
      // A repeated character (赌赌博) is part of the spelling too.
      if (g === 0 && norm.cp[i] === norm.cp[i - 1]) continue;
      return false;
    }
  }
  return true;
}

/** Digits of a numeral variant must be written together: 十四五 is not the 1, 4 and 5 of 14.5 or 1,450. */
export function digitsJoined(norm: NormalizedText, s: number, e: number): boolean {
  for (let i = s + 1; i <= e; i++) if (norm.gap[i] !== 0 && isDigit(norm.cp[i]!) && isDigit(norm.cp[i - 1]!)) return false;
  return true;
}


export function covered(ids: readonly number[], phrases: Map<number, Occurrence[]>, s: number, e: number): boolean {
  for (const ph of ids) {
    const occ = phrases.get(ph);
    if (!occ) continue;
    for (const o of occ) if (o.s <= s && o.e >= e) return true;
  }
  return false;
}
