/**
 * The pattern and validator stage of a scan: each rule's linear-time-safe
 * regular expressions, its validator (ID, mobile and bank-card numbers, past
 * deadlines) and its `followedBy` pattern. Patterns run on the folded text
 * without invisible characters, anchored at the characters a match can start
 * with, and only when every trigger character of the pattern occurs in the
 * field (the normaliser ORs each code unit's trigger bits as it reads the
 * text, see `triggers`).
 */
import type { CompiledRules } from './compile.js';
import { candidate, lowerBound, type Candidate } from './candidates.js';
import { foldPreimages, foldVisible, isFolded, type NormalizedText, type VisibleText } from './normalize.js';
import { patternEdgeChars, patternMaxLength } from './regex-safety.js';
import { BIDI_CONTROLS, digitRuns, findBankCards, findBidiControls, findChineseIds, findMobiles, findPastDeadlines, mayHaveDeadline, type DigitRun, type Span } from './validators.js';

/** Whether text[from, to) holds a code unit marked in `set`. */
function containsAny(text: string, from: number, to: number, set: Uint8Array): boolean {
  for (let i = from; i < to; i++) if (set[text.charCodeAt(i)] === 1) return true;
  return false;
}

/** Characters after a term in which its rule's `followedBy` pattern must match. */
const FOLLOWER_WINDOW = 64;

export class PatternStage {
  private readonly regexes: RegExp[][];
  /** Per rule, its `followedBy` pattern as a sticky regex (or null). */
  private readonly followers: (RegExp | null)[];
  /** Per rule, per pattern (then the deadline validator): trigger bits that must all be present for a match. */
  private readonly prefilters: number[][][];
  /**
   * Per rule, per pattern: where matches can start (original-text spellings of
   * the first characters), how long they can be, and what they can end with,
   * so the pattern runs anchored at those places only; null to scan the
   * whole text.
   */
  private readonly anchors: ({ starts: string[]; maxLength: number; sticky: RegExp; ends: Uint8Array | null } | null)[][];
  /** Rules with patterns or a validator. */
  private readonly patternRules: number[];
  /** Trigger bits of each BMP code unit, for the normaliser's character table. */
  readonly triggers = new Uint32Array(65536);

  constructor(private readonly compiled: CompiledRules) {
    this.regexes = compiled.rules.map((r) => r.patterns.map((p) => new RegExp(p, 'giu')));
    this.followers = compiled.rules.map((r) => (r.followedBy ? new RegExp(r.followedBy, 'iuy') : null));
    // Each distinct edge-character set of a pattern gets a trigger bit (sets beyond 31 share the last bit).
    const bitOf = new Map<string, number>();
    const triggers = this.triggers;
    const bitFor = (chars: string[]): number => {
      const all = foldPreimages(chars.map((ch) => ch.toLowerCase()));
      const key = all.join('');
      let bit = bitOf.get(key);
      if (bit === undefined) {
        bit = 1 << Math.min(bitOf.size, 31);
        bitOf.set(key, bit);
      }
      for (const ch of all) triggers[ch.charCodeAt(0)]! |= bit;
      return bit;
    };
    this.prefilters = compiled.rules.map((r) => {
      const sets = r.patterns.map((p) => {
        const { first, last } = patternEdgeChars(p);
        return [first, last].filter((x): x is string[] => x !== null && x.length > 0).map(bitFor);
      });
      if (r.validator === 'past-deadline') sets.push([bitFor(['截', '于'])]);
      if (r.validator === 'bidi-controls') sets.push([bitFor(BIDI_CONTROLS)]);
      return sets;
    });
    this.anchors = compiled.rules.map((r) =>
      r.patterns.map((p) => {
        const { first, last } = patternEdgeChars(p);
        const maxLength = patternMaxLength(p);
        if (!first || maxLength > 256) return null;
        // The characters a match can end with, in any spelling: a window without one needs no regex run.
        let ends: Uint8Array | null = null;
        if (last && last.length > 0) {
          ends = new Uint8Array(65536);
          for (const ch of foldPreimages(last.map((x) => x.toLowerCase()))) ends[ch.charCodeAt(0)] = 1;
        }
        return { starts: foldPreimages(first.map((ch) => ch.toLowerCase())), maxLength, sticky: new RegExp(p, 'iuy'), ends };
      }),
    );
    this.patternRules = compiled.rules.flatMap((r, i) => (r.patterns.length > 0 || r.validator ? [i] : []));
  }

  /** Whether the rule has a `followedBy` pattern. */
  hasFollower(rule: number): boolean {
    return this.followers[rule] !== null;
  }

  /**
   * Runs a rule's `followedBy` pattern right after the candidate, on a folded
   * window without invisible characters; on a match the candidate is extended
   * to cover it.
   */
  follow(text: string, norm: NormalizedText, cand: Candidate): boolean {
    const follower = this.followers[cand.rule]!;
    const w = foldVisible(text.slice(cand.end, cand.end + FOLLOWER_WINDOW));
    follower.lastIndex = 0;
    const m = follower.exec(w.text);
    if (!m || m[0].length === 0) return false;
    cand.end += originalSpan(w, 0, m[0].length).end;
    cand.e = Math.max(cand.e, lowerBound(norm.pos, norm.length, cand.end) - 1);
    cand.re = Math.max(cand.re, cand.e);
    return true;
  }

  /** Candidates of every pattern and validator rule for one field. */
  collect(text: string, date: string, norm: NormalizedText, cands: Candidate[]): void {
    if (this.patternRules.length === 0) return;
    const c = this.compiled;
    // The visible folded text and digit runs computed lazily, at most once per field (plain variables rather than
    // closures: this runs for every field, and tsx's keepNames wraps each named closure it creates).
    let visible: VisibleText | null = null;
    let runs: DigitRun[] | null = null;
    for (const r of this.patternRules) {
      const rule = c.rules[r]!;
      const spans: Span[] = [];
      const regexes = this.regexes[r]!;
      for (let j = 0; j < regexes.length; j++) {
        if (!allTriggered(this.prefilters[r]![j]!, norm.triggered)) continue;
        const anchor = this.anchors[r]![j];
        if (anchor) {
          // Anchored at each place a match can start, on a folded window: work proportional to those places.
          // The window is twice the pattern's longest match, room for invisible characters it drops.
          for (const ch of anchor.starts) {
            for (let at = text.indexOf(ch); at >= 0; at = text.indexOf(ch, at + 1)) {
              const end = Math.min(text.length, at + 2 * anchor.maxLength);
              if (anchor.ends && !containsAny(text, at, end, anchor.ends)) continue;
              // Most windows need no folding: run on the text itself, no copy.
              if (isFolded(text, at, end)) {
                anchor.sticky.lastIndex = at;
                const m = anchor.sticky.exec(text);
                if (m && m[0].length > 0 && at + m[0].length <= end) spans.push({ start: at, end: at + m[0].length });
                continue;
              }
              const w = foldVisible(text.slice(at, end));
              anchor.sticky.lastIndex = 0;
              const m = anchor.sticky.exec(w.text);
              if (m && m[0].length > 0) {
                const sp = originalSpan(w, 0, m[0].length);
                spans.push({ start: at + sp.start, end: at + sp.end });
              }
            }
          }
          continue;
        }
        const v = (visible ??= foldVisible(text));
        const re = regexes[j]!;
        re.lastIndex = 0;
        for (let m = re.exec(v.text); m; m = re.exec(v.text)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          spans.push(originalSpan(v, m.index, m.index + m[0].length));
        }
      }
      if ((rule.validator === 'cn-id' || rule.validator === 'mobile' || rule.validator === 'bank-card') && norm.maxDigits < 11) continue;
      switch (rule.validator) {
        case 'cn-id':
          spans.push(...findChineseIds(text, (runs ??= digitRuns(text))));
          break;
        case 'mobile':
          spans.push(...findMobiles(text, (runs ??= digitRuns(text))));
          break;
        case 'bank-card':
          spans.push(...findBankCards(text, (runs ??= digitRuns(text))));
          break;
        case 'bidi-controls':
          if (allTriggered(this.prefilters[r]![regexes.length]!, norm.triggered)) spans.push(...findBidiControls(text));
          break;
        case 'past-deadline':
          if (allTriggered(this.prefilters[r]![regexes.length]!, norm.triggered) && mayHaveDeadline(text)) {
            const v = (visible ??= foldVisible(text));
            for (const sp of findPastDeadlines(v.text, date)) spans.push(originalSpan(v, sp.start, sp.end));
          }
          break;
        default:
          break;
      }
      for (const sp of spans) {
        const s = lowerBound(norm.pos, norm.length, sp.start);
        const e = Math.max(s, lowerBound(norm.pos, norm.length, sp.end) - 1);
        cands.push(candidate(r, null, s, e, s, e, sp.start, sp.end));
      }
    }
  }
}

/** Whether every trigger bit in `bits` is set in `triggered`. */
function allTriggered(bits: readonly number[], triggered: number): boolean {
  for (let i = 0; i < bits.length; i++) if ((triggered & bits[i]!) === 0) return false;
  return true;
}

/** A span [a, b) of the visible text as offsets into the original field. */
function originalSpan(v: VisibleText, a: number, b: number): Span {
  return v.pos ? { start: v.pos[a]!, end: v.pos[b - 1]! + 1 } : { start: a, end: b };
}

