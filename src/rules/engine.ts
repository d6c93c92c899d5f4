/**
 * The rule engine: the rule half of machine review (`RuleMatcher`).
 *
 * A scan normalises each field (normalize.ts), runs the compiled automaton
 * (automaton.ts) once — every variant of every term is in it —, verifies
 * each candidate (repeat counts, ASCII and word boundaries, validity window,
 * required proximity, exceptions and allow-lists); adds pattern and validator
 * findings; and reports every finding with offsets into the original field.
 *
 * An engine owns its scratch buffers and is not shared between threads: each
 * worker thread builds its own from a directory (`loadRuleEngine`) or from
 * in-memory packs (`createRuleEngine`).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Field, Hit, ReviewInput, RuleMatcher } from '../review/types.js';
import { automatonBytes, emptyMatches, MAX_INNER_GAP, type MatchBuffer } from './automaton.js';
import { loadCompiled, saveCompiled } from './cache.js';
import { checkKnowledge, knowledgeOrder } from './knowledge.js';
import { sentenceStarts } from './sentences.js';
import { compileRules, rulesVersion, SENTENCE, type CompiledContext, type CompiledRules, type CompileOptions, type KeyEntry, type KeyTable, type PackInput } from './compile.js';
import { loadLexicon, type LexiconPolicy } from './lexicon.js';
import { charTable, emptyNormalized, endOffset, type CharTable, foldPreimages, foldVisible, HARD_GAP, normalize, type NormalizedText, type VisibleText } from './normalize.js';
import { loadPackDir } from './pack.js';
import { commonWords, fitsWords, tokenEdges } from './segment.js';
import { digitRuns, findBankCards, findChineseIds, findMobiles, findPastDeadlines, mayHaveDeadline, type DigitRun, type Span } from './validators.js';
import { patternEdgeChars, patternMaxLength } from './regex-safety.js';

let defaultDir: string | null = null;

/**
 * `<repo>/rules`, computed on first use (not at module load: a Worker bundle
 * has no file URL, and it gets its packs bundled instead, see src/edge/packs.ts).
 */
export function defaultRulesDir(): string {
  defaultDir ??= resolve(dirname(fileURLToPath(import.meta.url)), '../../rules');
  return defaultDir;
}

export interface RuleEngineOptions {
  /** Pack directory (default `<repo>/rules`). */
  rulesDir?: string;
  /** Plain word lists loaded as extra `review` rules. */
  lexicons?: string[];
  /** Directory for compiled packs keyed by content hash; skips compilation on a hit. */
  cacheDir?: string;
  lexiconPolicy?: LexiconPolicy;
  /** Packs held elsewhere (database rules from the compliance API), compiled together with the directory's. */
  extraPacks?: PackInput[];
}

interface Occurrence {
  s: number;
  e: number;
}

interface Candidate {
  rule: number;
  entry: Extract<KeyEntry, { t: 'term' }> | null;
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

const SEGMENT_WINDOW = 10;
/** Characters after a term in which its rule's `followedBy` pattern must match. */
const FOLLOWER_WINDOW = 64;
/** Dictionary frequency from which a two-character word counts for `edgeCutsWord`. */
const BIGRAM_MIN_FREQUENCY = 500;
const isAsciiAlnum = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 97 && cp <= 122);
const isDigit = (cp: number) => cp >= 48 && cp <= 57;
/** Whether kept characters s..e include a CJK ideograph (the segmenter has something to say). */
function hasHan(norm: NormalizedText, s: number, e: number): boolean {
  for (let i = s; i <= e; i++) {
    const c = norm.cp[i]!;
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || c >= 0x20000) return true;
  }
  return false;
}

export class RuleEngine implements RuleMatcher {
  readonly version: string;
  private readonly regexes: RegExp[][];
  /** Per rule, its `followedBy` pattern as a sticky regex (or null). */
  private readonly followers: (RegExp | null)[];
  /** Per rule, per pattern (then the deadline validator): trigger bits that must all be present for a match. */
  private readonly prefilters: number[][][];
  /** The normaliser's table, carrying the trigger bits of each code unit (see prefilters). */
  private readonly chars: CharTable;
  /**
   * Per rule, per pattern: where matches can start (original-text spellings of
   * the first characters) and how long they can be, so the pattern runs
   * anchored at those places only; null to scan the whole text.
   */
  private readonly anchors: ({ starts: string[]; maxLength: number; sticky: RegExp } | null)[][];
  /** Rules with patterns or a validator. */
  private readonly patternRules: number[];
  private readonly norm: NormalizedText = emptyNormalized(4096);
  private readonly matches: MatchBuffer = emptyMatches();
  private readonly counts = new Int32Array(1024);
  /** Common two-character BMP words as `first * 65536 + second` (see edgeCutsWord). */
  private commonPairs: Set<number> | null = null;
  private runStart = 0;
  private runEnd = 0;
  /** Per key: whether it carries rule terms / context or allow-list phrases. */
  private readonly keyHasTerm: Uint8Array;
  private readonly keyHasPhrase: Uint8Array;

  constructor(readonly compiled: CompiledRules) {
    this.version = compiled.version;
    this.regexes = compiled.rules.map((r) => r.patterns.map((p) => new RegExp(p, 'giu')));
    this.followers = compiled.rules.map((r) => (r.followedBy ? new RegExp(r.followedBy, 'iuy') : null));
    // Each distinct edge-character set of a pattern gets a trigger bit (sets beyond 31 share the last bit).
    const bitOf = new Map<string, number>();
    const triggers = new Uint32Array(65536);
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
      return sets;
    });
    this.chars = charTable(triggers, compiled.text.automaton);
    this.anchors = compiled.rules.map((r) =>
      r.patterns.map((p) => {
        const { first } = patternEdgeChars(p);
        const maxLength = patternMaxLength(p);
        if (!first || maxLength > 256) return null;
        return { starts: foldPreimages(first.map((ch) => ch.toLowerCase())), maxLength, sticky: new RegExp(p, 'iuy') };
      }),
    );
    this.patternRules = compiled.rules.flatMap((r, i) => (r.patterns.length > 0 || r.validator ? [i] : []));
    const entries = compiled.text.entries;
    this.keyHasTerm = Uint8Array.from(entries, (list) => (list.some((e) => e.t === 'term') ? 1 : 0));
    this.keyHasPhrase = Uint8Array.from(entries, (list) => (list.some((e) => e.t === 'phrase') ? 1 : 0));
  }

  /** Problems and notes from compilation (rewritten patterns, lexicon triage). */
  get diagnostics() {
    return this.compiled.diagnostics;
  }

  /** Bytes held by the compiled automata. */
  get compiledBytes(): number {
    return automatonBytes(this.compiled.text.automaton);
  }

  scan(input: ReviewInput): Hit[] {
    const hits: Hit[] = [];
    if (input.title) this.scanField('title', input.title, input.date, hits);
    this.scanField('body', input.body, input.date, hits);
    return hits;
  }

  private scanField(field: Field, text: string, date: string, out: Hit[]): void {
    if (!text) return;
    const c = this.compiled;
    const norm = normalize(text, this.norm, this.chars, this.matches);
    const cands: Candidate[] = [];
    this.collect(c.text, norm.cp, norm, cands);
    if (this.patternRules.length > 0) this.collectPatterns(text, date, norm, cands);
    if (cands.length === 0) return;
    // Knowledge anchors (a leader's name in nearly every official text) mostly check out fine: expand them first,
    // and read the context phrases only if a candidate is left.
    if (c.knowledge) this.expandKnowledge(cands, norm, text, date);
    if (!cands.some((x) => x.rule >= 0)) return;
    const phrases = this.phraseOccurrences(c.text, norm.cp, norm);
    dropNestedLexiconWords(c, cands);

    const segCache = new Map<string, { edges: Uint8Array; unit: Int32Array; from: number }>();
    const kept: Array<{ cand: Candidate; lexicon: boolean }> = [];
    let sentence: Sentences | null = null;
    for (const cand of cands) {
      if (cand.rule < 0) continue;
      const rule = c.rules[cand.rule]!;
      if (rule.validFrom && date < rule.validFrom) continue;
      if (rule.validUntil && date >= rule.validUntil) continue;
      const scope = (sentence ??= new Sentences(text, norm));
      // A required context is waived for an evaded spelling (贝者十尃, 堵博, 赌*博): nobody writes a word that way by accident.
      if (rule.near && !evaded(norm, cand) && (phrases.size === 0 || !rule.near.some((ctx) => contextHolds(ctx, phrases, cand, scope, false)))) continue;
      // Exceptions and allow-lists need a phrase in the text; most fields have none.
      if (phrases.size > 0) {
        if (covered(rule.unlessPhrases, phrases, cand.s, cand.e)) continue;
        if (covered(c.allow, phrases, cand.s, cand.e)) continue;
        if (rule.unlessNear.some((ctx) => contextHolds(ctx, phrases, cand, scope, true))) continue;
        if (rule.unlessInfo.some((ctx) => contextHolds(ctx, phrases, cand, scope, true))) cand.info = true;
        if (rule.lexicon && c.lexiconUnless.some((ctx) => contextHolds(ctx, phrases, cand, scope, true))) continue;
      }
      const entry = cand.entry;
      const follower = this.followers[cand.rule];
      // Cheaper than segmentation, and most handles (微信) have no id after them.
      if (follower && !this.extendByFollower(follower, text, norm, cand)) continue;
      if (entry && entry.boundary !== 'none') {
        if (entry.asciiStart && !asciiEdgeOk(norm, cand.s, -1)) continue;
        // What may follow a term with a `followedBy` pattern is that pattern's business (vx123456).
        if (entry.asciiEnd && !follower && !asciiEdgeOk(norm, cand.e, 1)) continue;
        if (entry.kind === 'numerals' && !digitsJoined(norm, cand.s, cand.e)) continue;
        // Segmentation last: it is the expensive check.
        if (!(entry.asciiStart && entry.asciiEnd) && hasHan(norm, cand.s, cand.e)) {
          const strict = entry.boundary === 'word' || entry.kind === 'homophone';
          // Repeated characters confuse the segmenter; the span with whole runs may fit where the trimmed one does not.
          const fits =
            this.wordsFit(norm, cand.s, cand.e, strict, segCache) ||
            ((cand.rs !== cand.s || cand.re !== cand.e) && this.wordsFit(norm, cand.rs, cand.re, strict, segCache));
          if (!fits) continue;
        }
      }
      kept.push({ cand, lexicon: rule.lexicon });
    }

    // One finding per span and rule: drop what another finding of the same rule contains;
    // lexicon words yield to pack findings they overlap and to longer lexicon words.
    kept.sort((a, b) => a.cand.start - b.cand.start || b.cand.end - a.cand.end);
    const result: Array<{ cand: Candidate; lexicon: boolean }> = [];
    for (const k of kept) {
      const id = ruleIdOf(c, k.cand);
      let drop = false;
      for (const r of result) {
        const inside = r.cand.start <= k.cand.start && r.cand.end >= k.cand.end;
        const overlap = r.cand.start < k.cand.end && k.cand.start < r.cand.end;
        if (inside && (ruleIdOf(c, r.cand) === id || r.cand.rule === k.cand.rule)) drop = true;
        // A shorter finding of the same category inside a weightier one says nothing more (赌博 in 赌博网站).
        else if (inside && !k.lexicon && !r.lexicon && sameCategoryOutranks(c, r.cand, k.cand)) drop = true;
        else if (k.lexicon && overlap && (!r.lexicon || inside)) drop = true;
        if (drop) break;
      }
      if (!drop && !k.lexicon) {
        // A pack finding supersedes lexicon findings it overlaps that were placed before it.
        for (let i = result.length - 1; i >= 0; i--) {
          const r = result[i]!;
          if (r.lexicon && r.cand.start < k.cand.end && k.cand.start < r.cand.end) result.splice(i, 1);
        }
      }
      if (!drop) result.push(k);
    }
    for (const { cand } of result) {
      const rule = c.rules[cand.rule]!;
      const suggestion = cand.suggestion ?? cand.entry?.suggestion ?? rule.suggestion;
      let message = cand.message ?? rule.message;
      if (cand.entry && cand.entry.kind !== 'exact' && message) message = `${message}（变体写法，原词：${cand.entry.term}）`;
      if (cand.info && message) message = `${message}（出现在警示、禁止或报道语境中，仅供参考）`;
      out.push({
        field,
        start: cand.start,
        end: cand.end,
        text: text.slice(cand.start, cand.end),
        rule: ruleIdOf(c, cand),
        category: rule.category,
        gate: rule.gate,
        severity: cand.info ? 'low' : rule.severity,
        action: cand.info ? 'info' : rule.action,
        ...(suggestion ? { suggestion } : {}),
        ...(message ? { message } : {}),
      });
    }
  }

  /**
   * Turns the automaton's matches (found by `normalize` while it wrote the
   * skeleton) that are verified rule terms into candidates. Matches of
   * context and allow-list phrases stay in the match buffer;
   * `phraseOccurrences` reads them only when a candidate exists, which in
   * clean official text is rarely the case.
   */
  private collect(table: KeyTable, stream: Int32Array, norm: NormalizedText, cands: Candidate[]): void {
    const { automaton, entries } = table;
    const m = this.matches;
    for (let i = 0; i < m.count; i++) {
      const key = m.keys[i]!;
      if (!this.keyHasTerm[key]) continue;
      const L = automaton.keyLength[key]!;
      if (L > this.counts.length) continue;
      this.runs(stream, norm, m.ends[i]!, L);
      const p = this.runStart;
      const q = this.runEnd;
      for (const entry of entries[key]!) {
        if (entry.t !== 'term' || !this.runsFit(entry.min, L)) continue;
        const last = m.ends[i]!;
        const s = L === 1 ? p : p + this.counts[0]! - entry.min[0]!;
        const e = L === 1 ? q : last + entry.min[L - 1]! - 1;
        cands.push({ rule: entry.rule, entry, s, e, rs: p, re: q, start: norm.pos[s]!, end: endOffset(norm, e) });
      }
    }
  }

  /** Occurrences of context and allow-list phrases, from the match buffer of the last `collect`. */
  private phraseOccurrences(table: KeyTable, stream: Int32Array, norm: NormalizedText): Map<number, Occurrence[]> {
    const { automaton, entries } = table;
    const phrases = new Map<number, Occurrence[]>();
    const m = this.matches;
    for (let i = 0; i < m.count; i++) {
      const key = m.keys[i]!;
      if (!this.keyHasPhrase[key]) continue;
      const L = automaton.keyLength[key]!;
      if (L > this.counts.length) continue;
      this.runs(stream, norm, m.ends[i]!, L);
      const p = this.runStart;
      const q = this.runEnd;
      for (const entry of entries[key]!) {
        if (entry.t !== 'phrase' || !this.runsFit(entry.min, L)) continue;
        const last = m.ends[i]!;
        const s = L === 1 ? p : p + this.counts[0]! - entry.min[0]!;
        const e = L === 1 ? q : last + entry.min[L - 1]! - 1;
        let list = phrases.get(entry.phrase);
        if (!list) phrases.set(entry.phrase, (list = []));
        list.push({ s, e });
      }
    }
    return phrases;
  }

  /**
   * Run lengths of the key match ending (first character of its last run) at
   * `last`, into `this.counts`; the first and last kept index of the match
   * including whole runs into `runStart` / `runEnd`.
   */
  private runs(stream: Int32Array, norm: NormalizedText, last: number, L: number): void {
    const gap = norm.gap;
    const n = norm.length;
    const counts = this.counts;
    let q = last;
    while (q + 1 < n && stream[q + 1] === stream[last] && gap[q + 1]! <= MAX_INNER_GAP) q++;
    counts[L - 1] = q - last + 1;
    let p = last;
    for (let k = L - 2; k >= 0; k--) {
      p--;
      const runEnd = p;
      while (p > 0 && stream[p - 1] === stream[runEnd] && gap[p]! <= MAX_INNER_GAP) p--;
      counts[k] = runEnd - p + 1;
    }
    if (L === 1) {
      while (p > 0 && stream[p - 1] === stream[last] && gap[p]! <= MAX_INNER_GAP) p--;
      counts[0] = q - p + 1;
    }
    this.runStart = p;
    this.runEnd = q;
  }

  private runsFit(min: number[], L: number): boolean {
    for (let k = 0; k < L; k++) if (this.counts[k]! < min[k]!) return false;
    return true;
  }

  /**
   * Runs a rule's `followedBy` pattern right after the candidate, on a folded
   * window without invisible characters; on a match the candidate is extended
   * to cover it.
   */
  private extendByFollower(follower: RegExp, text: string, norm: NormalizedText, cand: Candidate): boolean {
    const w = foldVisible(text.slice(cand.end, cand.end + FOLLOWER_WINDOW));
    follower.lastIndex = 0;
    const m = follower.exec(w.text);
    if (!m || m[0].length === 0) return false;
    cand.end += originalSpan(w, 0, m[0].length).end;
    cand.e = Math.max(cand.e, lowerBound(norm.pos, norm.length, cand.end) - 1);
    cand.re = Math.max(cand.re, cand.e);
    return true;
  }

  /**
   * Replaces each knowledge anchor found by the automaton (a leader's name, a
   * title, a formulation's anchor) with what its check finds there, if anything.
   */
  private expandKnowledge(cands: Candidate[], norm: NormalizedText, text: string, date: string): void {
    const c = this.compiled;
    const k = c.knowledge!;
    const n = cands.length;
    const input = { norm, text, date, memo: new Map() };
    // Correct formulation wordings first (knowledgeOrder), then every other anchor.
    const order: number[] = [];
    for (let i = 0; i < n; i++) if (cands[i]!.entry && c.rules[cands[i]!.rule]?.knowledge) order.push(i);
    if (order.length === 0) return;
    order.sort((x, y) => knowledgeOrder(k, cands[x]!.entry!.term) - knowledgeOrder(k, cands[y]!.entry!.term) || x - y);
    for (const i of order) {
      const cand = cands[i]!;
      const check = cand.rule >= 0 ? c.rules[cand.rule]!.knowledge : undefined;
      if (!check || !cand.entry) continue;
      const rule = cand.rule;
      cand.rule = -1;
      // Whole runs (李李强 for 李强), so the characters beside the occurrence are what follows the repeats.
      for (const f of checkKnowledge(check, k, cand.entry.term, cand.rs, cand.re, input)) {
        cands.push({
          rule,
          entry: null,
          s: f.s,
          e: f.e,
          rs: f.s,
          re: f.e,
          start: norm.pos[f.s]!,
          end: endOffset(norm, f.e),
          ...(f.message ? { message: f.message } : {}),
          ...(f.suggestion ? { suggestion: f.suggestion } : {}),
        });
      }
    }
  }

  private collectPatterns(text: string, date: string, norm: NormalizedText, cands: Candidate[]): void {
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
              const w = foldVisible(text.slice(at, at + 2 * anchor.maxLength));
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
      if (rule.validator && rule.validator !== 'past-deadline' && norm.maxDigits < 11) continue;
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
        cands.push({ rule: r, entry: null, s, e, rs: s, re: e, start: sp.start, end: sp.end });
      }
    }
  }

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

  private wordsFit(
    norm: NormalizedText,
    s: number,
    e: number,
    strict: boolean,
    cache: Map<string, { edges: Uint8Array; unit: Int32Array; from: number }>,
  ): boolean {
    if (strict && this.edgeCutsWord(norm, s, e)) return false;
    let from = s;
    while (from > 0 && norm.gap[from] !== HARD_GAP && s - from < SEGMENT_WINDOW) from--;
    let to = e;
    while (to + 1 < norm.length && norm.gap[to + 1] !== HARD_GAP && to - e < SEGMENT_WINDOW) to++;
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
      seg = { edges: tokenEdges(str), unit, from };
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

/**
 * A lexicon word inside a longer lexicon word at the same place (近平 in
 * 习近平) is the author's longer word, not a separate finding: it is dropped
 * (rule set to -1) before the expensive checks.
 */
function dropNestedLexiconWords(c: CompiledRules, cands: Candidate[]): void {
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
function sameCategoryOutranks(c: CompiledRules, r: Candidate, k: Candidate): boolean {
  const rr = c.rules[r.rule]!;
  const kr = c.rules[k.rule]!;
  if (rr.category !== kr.category) return false;
  const ra = r.info ? 0 : ACTION_RANK[rr.action];
  const ka = k.info ? 0 : ACTION_RANK[kr.action];
  return ra > ka || (ra === ka && SEVERITY_RANK[rr.severity] >= SEVERITY_RANK[kr.severity]);
}

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

/** Whether every trigger bit in `bits` is set in `triggered`. */
function allTriggered(bits: readonly number[], triggered: number): boolean {
  for (let i = 0; i < bits.length; i++) if ((triggered & bits[i]!) === 0) return false;
  return true;
}

function ruleIdOf(c: CompiledRules, cand: Candidate): string {
  const id = c.rules[cand.rule]!.id;
  return cand.entry?.line !== undefined ? `${id}:${cand.entry.line}` : id;
}

/** A span [a, b) of the visible text as offsets into the original field. */
function originalSpan(v: VisibleText, a: number, b: number): Span {
  return v.pos ? { start: v.pos[a]!, end: v.pos[b - 1]! + 1 } : { start: a, end: b };
}

function lowerBound(a: Int32Array, n: number, x: number): number {
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
function asciiEdgeOk(norm: NormalizedText, at: number, dir: -1 | 1): boolean {
  const inner = norm.cp[at]!;
  const nb = at + dir;
  if (nb < 0 || nb >= norm.length) return true;
  const g = dir < 0 ? norm.gap[at]! : norm.gap[nb]!;
  const other = norm.cp[nb]!;
  if (g === 0) return !isAsciiAlnum(other);
  return !(isDigit(inner) && isDigit(other) && g <= MAX_INNER_GAP);
}

/**
 * Sentence bounds of a field in kept-character indices, computed once per
 * field (sentences.ts) the first time a candidate needs them.
 */
class Sentences {
  private starts: Int32Array | null = null;
  constructor(
    private readonly text: string,
    private readonly norm: NormalizedText,
  ) {}

  /** [first, last] kept index of the sentence holding the candidate. */
  of(cand: Candidate): [number, number] {
    const starts = (this.starts ??= sentenceStarts(this.text));
    // The last sentence start at or before the candidate.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= cand.start) lo = mid;
      else hi = mid - 1;
    }
    const a = starts[lo]!;
    const z = lo + 1 < starts.length ? starts[lo + 1]! : this.text.length;
    return [lowerBound(this.norm.pos, this.norm.length, a), lowerBound(this.norm.pos, this.norm.length, z) - 1];
  }
}

/**
 * Whether a context holds for a candidate: a cue within its distance (or
 * sentence) on its side, with no stop phrase between cue and candidate. A cue
 * inside the candidate's own span counts only for exceptions (`overlap`): 卖
 * in 卖淫 does not make 卖淫 a sales offer, but 涉赌 does make 赌 a report.
 */
function contextHolds(ctx: CompiledContext, phrases: Map<number, Occurrence[]>, cand: Candidate, sentences: Sentences, overlap: boolean): boolean {
  const { s, e } = cand;
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.within === SENTENCE) [lo, hi] = sentences.of(cand);
  const near = (d: number) => (ctx.within === SENTENCE ? true : d <= ctx.within);
  for (const ph of ctx.phrases) {
    const occ = phrases.get(ph);
    if (!occ) continue;
    for (const o of occ) {
      if (o.s < lo || o.e > hi || insidePseudo(ctx, phrases, o)) continue;
      const before = o.e < s && near(s - o.e - 1) && !stopBetween(ctx, phrases, o.e, s);
      const after = o.s > e && near(o.s - e - 1) && !stopBetween(ctx, phrases, e, o.s);
      const inside = overlap && o.s <= e && o.e >= s;
      if (ctx.side === 'before' ? before : ctx.side === 'after' ? after : before || after || inside) return true;
    }
  }
  return false;
}

/** Whether a cue occurrence lies inside one of the context's pseudo-cue phrases. */
function insidePseudo(ctx: CompiledContext, phrases: Map<number, Occurrence[]>, o: Occurrence): boolean {
  for (const ph of ctx.pseudo) {
    for (const p of phrases.get(ph) ?? []) if (p.s <= o.s && p.e >= o.e) return true;
  }
  return false;
}

/** Whether a stop phrase of the context lies strictly between kept indices a and b. */
function stopBetween(ctx: CompiledContext, phrases: Map<number, Occurrence[]>, a: number, b: number): boolean {
  for (const ph of ctx.stops) {
    for (const o of phrases.get(ph) ?? []) if (o.s > a && o.e < b) return true;
  }
  return false;
}

/** Whether a candidate is spelled to evade: a split, pinyin or (for longer terms) homophone variant, or interference between every character. */
function evaded(norm: NormalizedText, cand: Candidate): boolean {
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
function digitsJoined(norm: NormalizedText, s: number, e: number): boolean {
  for (let i = s + 1; i <= e; i++) if (norm.gap[i] !== 0 && isDigit(norm.cp[i]!) && isDigit(norm.cp[i - 1]!)) return false;
  return true;
}


function covered(ids: readonly number[], phrases: Map<number, Occurrence[]>, s: number, e: number): boolean {
  for (const ph of ids) {
    const occ = phrases.get(ph);
    if (!occ) continue;
    for (const o of occ) if (o.s <= s && o.e >= e) return true;
  }
  return false;
}

/** Builds an engine from packs held in memory (files, database rows, tests). */
export function createRuleEngine(packs: readonly PackInput[], opts: CompileOptions = {}): RuleEngine {
  return new RuleEngine(compileRules(packs, opts));
}

/**
 * Builds an engine from a pack directory (default `<repo>/rules`) plus plain
 * lexicons; synchronous so a worker thread can construct one at start-up.
 * Throws PackError on a malformed pack. With `cacheDir`, compiled packs are
 * reused across processes when their content hash matches.
 */
export function loadRuleEngine(opts: RuleEngineOptions = {}): RuleEngine {
  const dir = opts.rulesDir ?? defaultRulesDir();
  const packs: PackInput[] = [...loadPackDir(dir), ...(opts.extraPacks ?? [])];
  const lexicons = (opts.lexicons ?? []).map(loadLexicon);
  const compileOpts: CompileOptions = { lexicons, ...(opts.lexiconPolicy ? { lexiconPolicy: opts.lexiconPolicy } : {}) };
  if (opts.cacheDir) {
    const version = rulesVersion(packs, compileOpts);
    const cached = loadCompiled(opts.cacheDir, version);
    if (cached) return new RuleEngine(cached);
    const compiled = compileRules(packs, compileOpts);
    try {
      saveCompiled(opts.cacheDir, compiled);
    } catch (err) {
      compiled.diagnostics.push({ source: opts.cacheDir, message: `cache not written: ${(err as Error).message}` });
    }
    return new RuleEngine(compiled);
  }
  return createRuleEngine(packs, compileOpts);
}
